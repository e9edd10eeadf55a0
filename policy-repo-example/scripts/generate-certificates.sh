#!/usr/bin/env bash
# Generates the certificate chains of policy-repo-example with openssl.
#
#   scripts/generate-certificates.sh           create whatever is missing, keep what exists
#   scripts/generate-certificates.sh --force   regenerate everything (do this before the roots
#                                              come within a year of expiry; the test
#                                              PolicyRepoExampleTest fails then to remind you)
#
# Only root CA certificates go into the trust stores (notation's ca and tsa stores hold roots;
# intermediates travel inside each signature). Private keys, intermediates and leaf certificates
# go to scripts/out/, which is git-ignored: private keys are never committed.
#
# Chains (EC P-384, ecdsa-with-SHA384; root 10 years, intermediate 5, leaf 2):
#   acme-root       Acme Root CA -> Acme Code Signing CA -> Acme Release Signing    (shared store, both environments)
#   dev-team-root   Acme Dev Team Root CA -> Acme Dev Team Signing CA -> Acme Dev Build Signing  (development only)
#   acme-tsa        Acme Timestamping Root CA -> Acme Timestamping Authority        (production tsa store)
set -euo pipefail

force=false
case "${1:-}" in
  --force) force=true ;;
  "") ;;
  *) echo "usage: $0 [--force]" >&2; exit 2 ;;
esac

command -v openssl >/dev/null || { echo "openssl is required" >&2; exit 2; }
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$repo/scripts/out"
dn="/C=US/ST=WA/L=Seattle/O=Acme/OU=Platform/CN="
mkdir -p "$out"
umask 077 # keys readable by their owner only

extensions="$out/extensions.cnf"
cat > "$extensions" <<'CNF'
# Notary Project signature specification, "Certificate Requirements"
[root]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[intermediate]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[codesigning]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = codeSigning
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[timestamping]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
CNF

new_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$1" 2>/dev/null; }
serial() { echo "0x$(openssl rand -hex 16)"; }

# issue <name> <common name> <days> <extension section> [<issuer name>]; without an issuer: self-signed
issue() {
  local name="$1" cn="$2" days="$3" section="$4" issuer="${5:-}"
  new_key "$out/$name.key"
  openssl req -new -key "$out/$name.key" -subj "$dn$cn" -out "$out/$name.csr"
  if [[ -z "$issuer" ]]; then
    openssl x509 -req -in "$out/$name.csr" -signkey "$out/$name.key" -sha384 -days "$days" \
      -set_serial "$(serial)" -extfile "$extensions" -extensions "$section" -out "$out/$name.pem" 2>/dev/null
  else
    openssl x509 -req -in "$out/$name.csr" -CA "$out/$issuer.pem" -CAkey "$out/$issuer.key" -sha384 -days "$days" \
      -set_serial "$(serial)" -extfile "$extensions" -extensions "$section" -out "$out/$name.pem" 2>/dev/null
  fi
  rm -f "$out/$name.csr"
  chmod 644 "$out/$name.pem"
}

# chain <store file> <root> <root CN> <intermediate|-> <intermediate CN|-> <leaf> <leaf CN> <leaf section>
chain() {
  local store_file="$1" root="$2" root_cn="$3" inter="$4" inter_cn="$5" leaf="$6" leaf_cn="$7" section="$8"
  if [[ -f "$repo/$store_file" && "$force" == false ]]; then
    if ! openssl x509 -in "$repo/$store_file" -noout -checkend $((365 * 24 * 3600)) >/dev/null; then
      echo "WARNING: $store_file expires within a year; run $0 --force" >&2
    fi
    [[ -f "$out/$root.key" ]] || echo "note: $store_file kept; its private keys are not in scripts/out (never committed), so its leaf was not issued. --force generates a new set." >&2
    return
  fi
  issue "$root" "$root_cn" 3650 root
  local parent="$root" bundle=""
  if [[ "$inter" != "-" ]]; then
    issue "$inter" "$inter_cn" 1825 intermediate "$root"
    parent="$inter"
  fi
  issue "$leaf" "$leaf_cn" 730 "$section" "$parent"
  # The chain a signer presents: leaf, intermediate(s), root - for notation sign with a local key.
  bundle="$out/$leaf.chain.pem"
  cat "$out/$leaf.pem" > "$bundle"
  [[ "$inter" != "-" ]] && cat "$out/$inter.pem" >> "$bundle"
  cat "$out/$root.pem" >> "$bundle"
  chmod 644 "$bundle"
  (umask 022; mkdir -p "$(dirname "$repo/$store_file")" && cp "$out/$root.pem" "$repo/$store_file")
  echo "issued $leaf_cn under $root_cn; root -> $store_file"
}

chain truststore/x509/ca/acme-root/acme-root-ca.pem \
  acme-root-ca "Acme Root CA" acme-code-signing-ca "Acme Code Signing CA" \
  acme-release-signing "Acme Release Signing" codesigning
chain environments/development/truststore/x509/ca/dev-team-root/dev-team-root-ca.pem \
  dev-team-root-ca "Acme Dev Team Root CA" dev-team-signing-ca "Acme Dev Team Signing CA" \
  dev-build-signing "Acme Dev Build Signing" codesigning
chain environments/production/truststore/x509/tsa/acme-tsa/acme-tsa-root-ca.pem \
  acme-tsa-root-ca "Acme Timestamping Root CA" - - \
  acme-timestamping "Acme Timestamping Authority" timestamping

for leaf in acme-release-signing dev-build-signing acme-timestamping; do
  [[ -f "$out/$leaf.pem" ]] && echo "  $leaf: $(openssl x509 -in "$out/$leaf.pem" -noout -subject -nameopt RFC2253)"
done
exit 0
