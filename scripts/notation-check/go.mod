module trustsync.io/notation-check

go 1.24

require github.com/notaryproject/notation-go v1.3.2

require (
	github.com/Azure/go-ntlmssp v0.0.0-20221128193559-754e69321358 // indirect
	github.com/go-asn1-ber/asn1-ber v1.5.7 // indirect
	github.com/go-ldap/ldap/v3 v3.4.10 // indirect
	github.com/google/uuid v1.6.0 // indirect
	github.com/notaryproject/notation-core-go v1.3.0 // indirect
	golang.org/x/crypto v0.37.0 // indirect
)
