#!/usr/bin/env bash
# Regenerates core/src/test/resources/signature/: real Notation signature envelopes made by the
# notation CLI v1.3.2 against a Distribution registry v3.1.2 on loopback, and notation's own
# verdict (`notation verify`) for each case in cases.json. Test tooling only; run it by hand:
#   scripts/make-signature-fixtures.sh [OUT_DIR]
# Needs go (to build the two binaries once), curl, jq, openssl and python3. Touches no real
# configuration: HOME, XDG_CONFIG_HOME and XDG_CACHE_HOME point into a temporary folder.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${1:-$ROOT/core/src/test/resources/signature}"
say() { printf '[signature-fixtures] %s\n' "$*" >&2; }

NOTATION="$("$ROOT/scripts/notation-cli.sh")"
REGISTRY="$("$ROOT/scripts/registry-cli.sh")"
WORK="$(mktemp -d)"
REGISTRY_PID=""
cleanup() {
  [[ -n "${KEEP:-}" ]] && { say "kept $WORK"; [[ -n "$REGISTRY_PID" ]] && kill "$REGISTRY_PID" 2>/dev/null; return 0; }
  [[ -n "$REGISTRY_PID" ]] && kill "$REGISTRY_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

export HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/config" XDG_CACHE_HOME="$WORK/cache"
mkdir -p "$HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME"
CONFIG="$XDG_CONFIG_HOME/notation"

# The registry, on a free loopback port, plain HTTP.
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
HOSTPORT="127.0.0.1:$PORT"
cat > "$WORK/registry.yml" <<EOF
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $WORK/registry-data}}
http: {addr: $HOSTPORT}
EOF
"$REGISTRY" serve "$WORK/registry.yml" > "$WORK/registry.log" 2>&1 &
REGISTRY_PID=$!
for _ in $(seq 1 100); do
  curl -fsS "http://$HOSTPORT/v2/" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "http://$HOSTPORT/v2/" >/dev/null || { say "registry did not start"; cat "$WORK/registry.log" >&2; exit 1; }
say "registry on $HOSTPORT"

REPO="trustsync/app"
SCRATCH="trustsync/scratch"
MANIFEST_TYPE="application/vnd.oci.image.manifest.v1+json"

sha() { printf 'sha256:%s' "$(sha256sum "$1" | cut -d' ' -f1)"; }

# push_blob REPO FILE: a monolithic upload (POST, then PUT with the digest).
push_blob() {
  local repo="$1" file="$2" location
  location="$(curl -fsS -X POST -D - -o /dev/null "http://$HOSTPORT/v2/$repo/blobs/uploads/" | tr -d '\r' | sed -n 's/^[Ll]ocation: //p')"
  [[ "$location" == http* ]] || location="http://$HOSTPORT$location"
  case "$location" in *\?*) location="$location&";; *) location="$location?";; esac
  curl -fsS -X PUT -H 'Content-Type: application/octet-stream' --data-binary "@$file" "${location}digest=$(sha "$file")" -o /dev/null
}

# push_manifest REPO FILE [MEDIA_TYPE]: PUT by digest; prints the digest.
push_manifest() {
  local repo="$1" file="$2" type="${3:-$MANIFEST_TYPE}" digest
  digest="$(sha "$file")"
  curl -fsS -X PUT -H "Content-Type: $type" --data-binary "@$file" "http://$HOSTPORT/v2/$repo/manifests/$digest" -o /dev/null
  printf '%s' "$digest"
}

# push_image REPO NAME: a tiny OCI image (config {} and one layer naming the image); prints its digest.
push_image() {
  local repo="$1" name="$2" dir="$WORK/images/$2"
  mkdir -p "$dir"
  printf '{}' > "$dir/config.json"
  printf 'trustsync signature fixture %s\n' "$name" > "$dir/layer.txt"
  push_blob "$repo" "$dir/config.json"
  push_blob "$repo" "$dir/layer.txt"
  jq -cn --arg c "$(sha "$dir/config.json")" --arg l "$(sha "$dir/layer.txt")" --argjson ls "$(stat -c %s "$dir/layer.txt")" '{
    schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: 2},
    layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $l, size: $ls}]}' > "$dir/manifest.json"
  push_manifest "$repo" "$dir/manifest.json"
}

# referrers REPO DIGEST: the referrers of DIGEST, from the referrers API or, where the registry
# has none (Distribution v3.1 has none), from the referrers tag schema (an index tagged sha256-<hex>),
# which is what notation falls back to when it signs.
referrers() {
  local repo="$1" digest="$2"
  curl -fsS "http://$HOSTPORT/v2/$repo/referrers/$digest" 2>/dev/null \
    || curl -fsS -H 'Accept: application/vnd.oci.image.index.v1+json' "http://$HOSTPORT/v2/$repo/manifests/${digest/:/-}" 2>/dev/null \
    || printf '{"manifests":[]}'
}

# signature_manifest REPO DIGEST: the digest of the only signature manifest referring to DIGEST.
signature_manifest() {
  local repo="$1" digest="$2" list
  list="$(referrers "$repo" "$digest" | jq -c '{manifests: [.manifests[] | select(.artifactType == "application/vnd.cncf.notary.signature")]}')"
  [[ "$(jq '.manifests | length' <<<"$list")" == 1 ]] || { say "expected one signature on $repo@$digest: $list"; exit 1; }
  jq -r '.manifests[0].digest' <<<"$list"
}

# extract REPO DIGEST OUT_FILE: saves the envelope of the signature on DIGEST; prints its media type.
extract() {
  local repo="$1" digest="$2" out="$3" sig manifest
  sig="$(signature_manifest "$repo" "$digest")"
  manifest="$(curl -fsS -H "Accept: $MANIFEST_TYPE" "http://$HOSTPORT/v2/$repo/manifests/$sig")"
  curl -fsS -o "$out" "http://$HOSTPORT/v2/$repo/blobs/$(jq -r '.layers[0].digest' <<<"$manifest")"
  printf '%s' "$manifest" > "$out.manifest"
  jq -r '.layers[0].mediaType' <<<"$manifest"
}

# attach REPO DIGEST ENVELOPE MANIFEST_TEMPLATE: attaches ENVELOPE to DIGEST with a signature
# manifest copied from MANIFEST_TEMPLATE (a real one notation pushed), its layer and subject replaced.
attach() {
  local repo="$1" digest="$2" envelope="$3" template="$4" size
  printf '{}' > "$WORK/empty.json"
  push_blob "$repo" "$WORK/empty.json"
  push_blob "$repo" "$envelope"
  size="$(curl -fsS -I -H "Accept: $MANIFEST_TYPE" "http://$HOSTPORT/v2/$repo/manifests/$digest" | tr -d '\r' | sed -n 's/^[Cc]ontent-[Ll]ength: //p')"
  jq -c --arg d "$(sha "$envelope")" --argjson s "$(stat -c %s "$envelope")" --arg subject "$digest" --argjson subjectSize "$size" \
    '.layers[0].digest = $d | .layers[0].size = $s | .subject.digest = $subject | .subject.size = $subjectSize' "$template" > "$WORK/attach.json"
  local sig
  sig="$(push_manifest "$repo" "$WORK/attach.json")"
  # No referrers API on this registry: list the signature in the referrers tag, as notation does.
  if ! curl -fsS -o /dev/null "http://$HOSTPORT/v2/$repo/referrers/$digest" 2>/dev/null; then
    jq -cn --arg d "$sig" --argjson s "$(stat -c %s "$WORK/attach.json")" --argjson a "$(jq -c '.annotations // {}' "$WORK/attach.json")" '{
      schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json",
      manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $d, size: $s,
        artifactType: "application/vnd.cncf.notary.signature", annotations: $a}]}' > "$WORK/index.json"
    curl -fsS -X PUT -H 'Content-Type: application/vnd.oci.image.index.v1+json' --data-binary "@$WORK/index.json" \
      "http://$HOSTPORT/v2/$repo/manifests/${digest/:/-}" -o /dev/null
  fi
}

# Signing keys: two notation test keys (RSA 2048 and 3072, self-signed) and an ECDSA chain made
# with openssl (a P-384 root "acme-root" issuing P-256 and P-384 code signing leaves).
"$NOTATION" cert generate-test --default teamA >/dev/null
"$NOTATION" cert generate-test --bits 3072 teamB >/dev/null
PKI="$WORK/pki"
mkdir -p "$PKI"
cat > "$PKI/ext.cnf" <<'EOF'
[root]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign
subjectKeyIdentifier = hash
[leaf]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = codeSigning
authorityKeyIdentifier = keyid
EOF
openssl ecparam -name secp384r1 -genkey -noout -out "$PKI/root.key" 2>/dev/null
openssl req -x509 -new -key "$PKI/root.key" -sha384 -days 3650 -subj "/C=US/ST=WA/L=Seattle/O=Acme/CN=Acme Root CA" \
  -extensions root -config <(cat /etc/ssl/openssl.cnf "$PKI/ext.cnf") -out "$PKI/root.crt"
for curve in 256 384; do
  name="acme-ec$curve"
  openssl ecparam -name "$([[ $curve == 256 ]] && echo prime256v1 || echo secp384r1)" -genkey -noout -out "$PKI/$name.ec.key" 2>/dev/null
  openssl pkcs8 -topk8 -nocrypt -in "$PKI/$name.ec.key" -out "$PKI/$name.key"
  openssl req -new -key "$PKI/$name.key" -subj "/C=US/ST=WA/L=Seattle/O=Acme/OU=Builds/CN=acme builder ec$curve" -out "$PKI/$name.csr"
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/root.crt" -CAkey "$PKI/root.key" -CAcreateserial -days 1825 -sha384 \
    -extfile "$PKI/ext.cnf" -extensions leaf -out "$PKI/$name.leaf.crt" 2>/dev/null
  cat "$PKI/$name.leaf.crt" "$PKI/root.crt" > "$PKI/$name.crt"
  jq --arg n "$name" --arg k "$PKI/$name.key" --arg c "$PKI/$name.crt" '.keys += [{name: $n, keyPath: $k, certPath: $c}]' \
    "$CONFIG/signingkeys.json" > "$WORK/keys.json" && mv "$WORK/keys.json" "$CONFIG/signingkeys.json"
done
# A leaf that expires 25 seconds from now, for a signature whose certificate has expired when it
# is verified (openssl ca, since openssl x509 of OpenSSL 3.0 has no end date option).
mkdir -p "$PKI/ca/certs"
: > "$PKI/ca/index.txt"
echo 1000 > "$PKI/ca/serial"
cat > "$PKI/ca.cnf" <<EOF
[ca]
default_ca = acme
[acme]
database = $PKI/ca/index.txt
new_certs_dir = $PKI/ca/certs
serial = $PKI/ca/serial
default_md = sha384
policy = anything
[anything]
countryName = optional
stateOrProvinceName = optional
localityName = optional
organizationName = optional
organizationalUnitName = optional
commonName = supplied
EOF
SHORT_END_EPOCH=$(( $(date -u +%s) + 25 ))
openssl ecparam -name prime256v1 -genkey -noout -out "$PKI/acme-short.ec.key" 2>/dev/null
openssl pkcs8 -topk8 -nocrypt -in "$PKI/acme-short.ec.key" -out "$PKI/acme-short.key"
openssl req -new -key "$PKI/acme-short.key" -subj "/C=US/ST=WA/L=Seattle/O=Acme/OU=Builds/CN=acme builder short-lived" -out "$PKI/acme-short.csr"
openssl ca -batch -notext -config "$PKI/ca.cnf" -cert "$PKI/root.crt" -keyfile "$PKI/root.key" -in "$PKI/acme-short.csr" \
  -startdate "$(date -u -d '-1 hour' +%Y%m%d%H%M%SZ)" -enddate "$(date -u -d "@$SHORT_END_EPOCH" +%Y%m%d%H%M%SZ)" \
  -extfile "$PKI/ext.cnf" -extensions leaf -out "$PKI/acme-short.leaf.crt" 2>/dev/null
cat "$PKI/acme-short.leaf.crt" "$PKI/root.crt" > "$PKI/acme-short.crt"
jq --arg k "$PKI/acme-short.key" --arg c "$PKI/acme-short.crt" '.keys += [{name: "acme-short", keyPath: $k, certPath: $c}]' \
  "$CONFIG/signingkeys.json" > "$WORK/keys.json" && mv "$WORK/keys.json" "$CONFIG/signingkeys.json"
mkdir -p "$CONFIG/truststore/x509/ca/acme-root" "$CONFIG/truststore/x509/signingAuthority/acme-root" "$CONFIG/truststore/x509/tsa/acme-root"
cp "$PKI/root.crt" "$CONFIG/truststore/x509/ca/acme-root/acme-root.crt"
cp "$PKI/root.crt" "$CONFIG/truststore/x509/signingAuthority/acme-root/acme-root.crt"
cp "$PKI/root.crt" "$CONFIG/truststore/x509/tsa/acme-root/acme-root.crt"

rm -rf "$OUT"
mkdir -p "$OUT/envelopes" "$OUT/certs" "$OUT/policies"
cp "$CONFIG/localkeys/teamA.crt" "$OUT/certs/teamA.crt"
cp "$CONFIG/localkeys/teamB.crt" "$OUT/certs/teamB.crt"
cp "$PKI/root.crt" "$OUT/certs/acme-root.crt"
cp "$PKI/acme-ec256.crt" "$OUT/certs/acme-ec256.chain.crt"
cp "$PKI/acme-ec384.crt" "$OUT/certs/acme-ec384.chain.crt"
cp "$PKI/acme-short.crt" "$OUT/certs/acme-short.chain.crt"

declare -A DIGEST TYPE
# sign_case NAME KEY FORMAT [EXTRA...]: a fresh image signed once; its envelope saved as NAME.
sign_case() {
  local name="$1" key="$2" format="$3"
  shift 3
  local digest type
  digest="$(push_image "$REPO" "$name")"
  "$NOTATION" sign --insecure-registry --key "$key" --signature-format "$format" "$@" "$HOSTPORT/$REPO@$digest" >/dev/null
  type="$(extract "$REPO" "$digest" "$OUT/envelopes/$name.sig")"
  DIGEST[$name]="$digest"
  TYPE[$name]="$type"
}

sign_case rsa2048-jws teamA jws
sign_case rsa2048-cose teamA cose
sign_case rsa3072-jws teamB jws
sign_case ec256-jws acme-ec256 jws
sign_case ec256-cose acme-ec256 cose
sign_case ec384-cose acme-ec384 cose
sign_case expired-jws teamA jws --expiry 1s
sign_case expired-cose teamA cose --expiry 1s
sign_case short-lived-cert-jws acme-short jws

# Two signatures on one image: teamB's (JWS) and teamA's (COSE).
DIGEST[two-signatures]="$(push_image "$REPO" two-signatures)"
TYPE[two-signatures]=multiple
"$NOTATION" sign --insecure-registry --key teamB --signature-format jws "$HOSTPORT/$REPO@${DIGEST[two-signatures]}" >/dev/null
"$NOTATION" sign --insecure-registry --key teamA --signature-format cose "$HOSTPORT/$REPO@${DIGEST[two-signatures]}" >/dev/null
for sig in $(referrers "$REPO" "${DIGEST[two-signatures]}" | jq -r '.manifests[] | select(.artifactType == "application/vnd.cncf.notary.signature") | .digest'); do
  manifest="$(curl -fsS -H "Accept: $MANIFEST_TYPE" "http://$HOSTPORT/v2/$REPO/manifests/$sig")"
  format="$([[ "$(jq -r '.layers[0].mediaType' <<<"$manifest")" == application/cose ]] && echo cose || echo jws)"
  curl -fsS -o "$OUT/envelopes/two-signatures-$format.sig" "http://$HOSTPORT/v2/$REPO/blobs/$(jq -r '.layers[0].digest' <<<"$manifest")"
done
sleep 2

# tamper_case NAME FORMAT HOW: an image signed in the scratch repository, its envelope altered by
# HOW (payload: one hex digit of targetArtifact.digest; signature: one bit of the signature), and
# attached alone to the same image in the main repository.
tamper_case() {
  local name="$1" format="$2" how="$3" digest template
  digest="$(push_image "$REPO" "$name")"
  [[ "$(push_image "$SCRATCH" "$name")" == "$digest" ]]
  "$NOTATION" sign --insecure-registry --key teamA --signature-format "$format" "$HOSTPORT/$SCRATCH@$digest" >/dev/null
  TYPE[$name]="$(extract "$SCRATCH" "$digest" "$WORK/$name.original")"
  python3 - "$format" "$how" "$WORK/$name.original" "$OUT/envelopes/$name.sig" <<'PY'
import base64, json, sys
fmt, how, src, dst = sys.argv[1:]
data = bytearray(open(src, "rb").read())
def b64d(s): return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
def b64e(b): return base64.urlsafe_b64encode(b).rstrip(b"=").decode()
def flip_digit(text):
    i = text.index(b'"digest":"sha256:') + len(b'"digest":"sha256:')
    text[i:i + 1] = b"0" if text[i:i + 1] != b"0" else b"1"
if fmt == "jws":
    env = json.loads(data)
    if how == "payload":
        payload = bytearray(b64d(env["payload"])); flip_digit(payload); env["payload"] = b64e(bytes(payload))
    else:
        sig = bytearray(b64d(env["signature"])); sig[len(sig) // 2] ^= 0x01; env["signature"] = b64e(bytes(sig))
    out = json.dumps(env, separators=(",", ":")).encode()
else:
    if how == "payload":
        flip_digit(data)  # the payload bstr holds the JSON; the digit keeps its length
    else:
        data[-1] ^= 0x01  # the signature is the last bstr of the COSE_Sign1 array
    out = bytes(data)
open(dst, "wb").write(out)
PY
  attach "$REPO" "$digest" "$OUT/envelopes/$name.sig" "$WORK/$name.original.manifest"
  DIGEST[$name]="$digest"
}

tamper_case tampered-payload-jws jws payload
tamper_case tampered-payload-cose cose payload
tamper_case tampered-signature-jws jws signature
tamper_case tampered-signature-cose cose signature

# A signature copied from another artifact: rsa2048-jws's envelope attached to a new image.
DIGEST[copied-jws]="$(push_image "$REPO" copied-jws)"
TYPE[copied-jws]="${TYPE[rsa2048-jws]}"
cp "$OUT/envelopes/rsa2048-jws.sig" "$OUT/envelopes/copied-jws.sig"
attach "$REPO" "${DIGEST[copied-jws]}" "$OUT/envelopes/copied-jws.sig" "$OUT/envelopes/rsa2048-jws.sig.manifest"
# An image nobody signed.
DIGEST[unsigned]="$(push_image "$REPO" unsigned)"
for f in "$OUT"/envelopes/*.manifest; do rm "$f"; done

# policy NAME LEVEL STORES IDENTITIES [OVERRIDE] [WILDCARD_STORES WILDCARD_IDENTITIES]: a trust
# policy whose statement "app" is scoped to the main repository; with the last two, a second
# statement "everything" for "*".
policy() {
  local name="$1" level="$2" stores="$3" identities="$4" override="${5:-}" wstores="${6:-}" widentities="${7:-}"
  jq -n --arg scope "$HOSTPORT/$REPO" --arg level "$level" --argjson stores "$stores" --argjson ids "$identities" \
    --arg override "$override" --arg wstores "$wstores" --arg wids "$widentities" '{
    version: "1.0",
    trustPolicies: ([{
      name: "app", registryScopes: [$scope],
      signatureVerification: ({level: $level} + (if $override == "" then {} else {override: ($override | fromjson)} end)),
      trustStores: $stores, trustedIdentities: $ids}]
      + (if $wstores == "" then [] else [{
      name: "everything", registryScopes: ["*"], signatureVerification: {level: "strict"},
      trustStores: ($wstores | fromjson), trustedIdentities: ($wids | fromjson)}] end))}' > "$OUT/policies/$name.json"
}

TEAM_A='"x509.subject: C=US, ST=WA, L=Seattle, O=Notary, CN=teamA"'
TEAM_B='"x509.subject: C=US, ST=WA, L=Seattle, O=Notary, CN=teamB"'
ACME='"x509.subject: C=US, ST=WA, O=Acme, OU=Builds"'
policy teamA strict '["ca:teamA"]' "[$TEAM_A]"
policy teamB strict '["ca:teamB"]' "[$TEAM_B]"
policy teamA-any-identity strict '["ca:teamA"]' '["*"]'
policy teamA-wrong-store strict '["ca:teamB"]' "[$TEAM_A]"
policy teamA-wrong-identity strict '["ca:teamA"]' '["x509.subject: C=US, ST=WA, O=Notary, CN=teamZ"]'
policy teamA-audit-wrong-store audit '["ca:teamB"]' "[$TEAM_A]"
policy teamA-permissive permissive '["ca:teamA"]' "[$TEAM_A]"
policy teamA-expiry-logged strict '["ca:teamA"]' "[$TEAM_A]" '{"expiry":"log"}'
policy teamA-authenticity-logged strict '["ca:teamB"]' "[$TEAM_A]" '{"authenticity":"log"}'
policy skip skip '[]' '[]'
policy exact-scope-wins strict '["ca:teamA"]' "[$TEAM_A]" '' '["ca:teamB"]' "[$TEAM_B]"
policy exact-scope-wins-against strict '["ca:teamB"]' "[$TEAM_B]" '' '["ca:teamA"]' "[$TEAM_A]"
policy acme strict '["ca:acme-root"]' "[$ACME]"
policy acme-permissive permissive '["ca:acme-root"]' "[$ACME]"
policy acme-signing-authority strict '["signingAuthority:acme-root"]' "[$ACME]"
policy acme-with-tsa strict '["ca:acme-root", "tsa:acme-root"]' "[$ACME]"
policy acme-with-tsa-permissive permissive '["ca:acme-root", "tsa:acme-root"]' "[$ACME]"
policy teamA-or-acme strict '["ca:teamA", "ca:acme-root"]' "[$TEAM_A, $ACME]"

# verify CASE ENVELOPE POLICY: notation's verdict for the image of ENVELOPE under POLICY.
CASES="$WORK/cases.jsonl"
: > "$CASES"
verify() {
  local case="$1" envelope="$2" policy="$3" digest rc output
  digest="${DIGEST[$envelope]}"
  cp "$OUT/policies/$policy.json" "$CONFIG/trustpolicy.json"
  set +e
  output="$("$NOTATION" verify --verbose --insecure-registry "$HOSTPORT/$REPO@$digest" 2>&1)"
  rc=$?
  set -e
  # What notation reported, without its info lines, and each failed check it logged: enforced
  # ("level=error ... validation failed") or logged ("level=warning ... set to \"logged\"").
  python3 - "$case" "$envelope" "${TYPE[$envelope]:-}" "$digest" "$policy" "$rc" "$output" >> "$CASES" <<'PY2'
import json, re, sys
case, envelope, media_type, digest, policy, rc, output = sys.argv[1:]
failures = []
for line in output.splitlines():
    m = re.match(r'level=(error|warning) msg=(\w+) validation failed(?: with validation action set to "logged")?\. Failure reason: (.*)', line)
    if m:
        failures.append({"check": m.group(2), "enforced": m.group(1) == "error", "reason": m.group(3)})
    elif re.search(r"failed verification with error: content descriptor mismatch", line):
        failures.append({"check": "integrity", "enforced": True, "reason": "content descriptor mismatch"})
if media_type == "multiple":
    envelopes = [{"file": envelope + "-jws.sig", "mediaType": "application/jose+json"},
                 {"file": envelope + "-cose.sig", "mediaType": "application/cose"}]
else:
    envelopes = [{"file": envelope + ".sig", "mediaType": media_type}] if media_type else []
print(json.dumps({"case": case, "envelopes": envelopes,
    "digest": digest, "policy": policy, "notationExitCode": int(rc), "notationPassed": rc == "0",
    "notationFailures": failures,
    "notationOutput": "\n".join(l for l in output.splitlines() if not l.startswith("level=info"))}))
PY2
  say "$case: exit $rc"
}
while (( $(date -u +%s) <= SHORT_END_EPOCH )); do sleep 1; done
NOW="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
verify rsa2048-jws-pass rsa2048-jws teamA
verify rsa2048-cose-pass rsa2048-cose teamA
verify rsa3072-jws-pass rsa3072-jws teamB
verify ec256-jws-pass ec256-jws acme
verify ec256-cose-pass ec256-cose acme
verify ec384-cose-pass ec384-cose acme
verify any-identity-pass rsa2048-cose teamA-any-identity
verify two-stores-pass ec256-jws teamA-or-acme
verify wrong-store-jws rsa2048-jws teamA-wrong-store
verify wrong-store-cose rsa2048-cose teamA-wrong-store
verify ec256-wrong-store ec256-cose teamA
verify wrong-identity-jws rsa2048-jws teamA-wrong-identity
verify wrong-identity-cose rsa2048-cose teamA-wrong-identity
verify audit-wrong-store rsa2048-jws teamA-audit-wrong-store
verify authenticity-logged rsa2048-cose teamA-authenticity-logged
verify signing-authority-store-for-x509-scheme ec256-jws acme-signing-authority
verify tsa-store-without-timestamp ec256-jws acme-with-tsa
verify tsa-store-without-timestamp-permissive ec256-cose acme-with-tsa-permissive
verify expired-jws-strict expired-jws teamA
verify expired-cose-strict expired-cose teamA
verify expired-jws-permissive expired-jws teamA-permissive
verify expired-cose-expiry-logged expired-cose teamA-expiry-logged
verify tampered-payload-jws tampered-payload-jws teamA
verify tampered-payload-cose tampered-payload-cose teamA
verify tampered-signature-jws tampered-signature-jws teamA
verify tampered-signature-cose tampered-signature-cose teamA
verify tampered-payload-audit tampered-payload-jws teamA-audit-wrong-store
verify copied-signature copied-jws teamA
verify unsigned unsigned teamA
verify skip-unsigned unsigned skip
verify skip-tampered tampered-signature-jws skip
verify exact-scope-wins rsa2048-jws exact-scope-wins
verify two-signatures-one-trusted two-signatures teamA
verify two-signatures-none-trusted two-signatures acme
verify short-lived-cert-expired short-lived-cert-jws acme
verify short-lived-cert-expired-permissive short-lived-cert-jws acme-permissive
verify exact-scope-wins-against rsa2048-jws exact-scope-wins-against

jq -s --arg registry "$HOSTPORT" --arg repo "$REPO" --arg now "$NOW" \
  --arg notation "$("$NOTATION" version | sed -n 's/^Version: *//p')" '{
  generatedBy: "scripts/make-signature-fixtures.sh", notationVersion: $notation, registry: $registry, repository: $repo,
  verifiedAt: $now, cases: .}' "$CASES" > "$OUT/cases.json"
say "wrote $(jq '.cases | length' "$OUT/cases.json") cases into $OUT"

# The README, with the table of cases.
{
  cat <<'EOF_README'
# Notation signature fixtures

Real signature envelopes made by the real notation CLI v1.3.2, and notation's own verdict on
each case, for `io.trustsync.signature` (NotationAgreementTest checks that TrustSync decides every
case exactly as notation did). Nothing here was written by hand or by TrustSync.

## How they were made

`scripts/make-signature-fixtures.sh` (run by hand; it needs go, curl, jq, openssl and python3)
regenerates this whole folder:

1. Builds (once) notation v1.3.2 and the CNCF Distribution registry v3.1.2 from the Go module
   proxy (`scripts/notation-cli.sh`, `scripts/registry-cli.sh`), and starts the registry on a free
   loopback port over plain HTTP. HOME, XDG_CONFIG_HOME and XDG_CACHE_HOME point into a temporary
   folder, so no real notation configuration is read or written.
2. Pushes one tiny OCI image per case with curl (config `{}` of type
   `application/vnd.oci.image.config.v1+json`, one small text layer) to `trustsync/app`.
3. Signing keys: `notation cert generate-test --default teamA` (RSA 2048, self-signed, added to
   trust store `ca/teamA`) and `notation cert generate-test --bits 3072 teamB`; with openssl, a
   P-384 root "Acme Root CA" issuing P-256 and P-384 code signing leaves (and a P-256 leaf that
   expires 25 seconds after it is issued), registered in notation's `signingkeys.json` with their
   chain (leaf, root).
4. `notation sign --insecure-registry --signature-format jws|cose --key ...`, once per image
   (`--expiry 1s` for the expired ones, then a 2 s wait). Each envelope is read back from the
   registry: the referrers API, or, as Distribution v3.1 has none, the referrers tag
   `sha256-<hex>` notation falls back to, gives the signature manifest, whose only layer is the
   envelope (`envelopes/*.sig`, media type in `cases.json`).
5. Tampered envelopes: an image is signed in a scratch repository, its envelope altered
   (`payload`: one hex digit of `targetArtifact.digest`; `signature`: one bit of the signature), and
   attached alone to the same image in `trustsync/app` with a copy of notation's signature manifest
   (and the referrers tag). `copied-jws.sig` is `rsa2048-jws.sig` attached to another image.
6. For each case, `policies/<policy>.json` becomes notation's `trustpolicy.json` and
   `notation verify --verbose --insecure-registry <registry>/trustsync/app@<digest>` runs;
   `cases.json` records its exit code, its output without info lines, and each failed check it
   logged (`notationFailures`: check, enforced or logged, reason).

`certs/` holds the signing certificates and the Acme root (the trust stores: `ca:teamA`,
`ca:teamB`, and `ca:`, `signingAuthority:` and `tsa:acme-root` all holding the root). `verifiedAt`
in `cases.json` is when notation verified the cases; the tests verify "as of" that instant, since
the certificates expire (generate-test's after a year, the short-lived one seconds after signing).

## The cases

| case | envelopes | policy | notation |
| --- | --- | --- | --- |
EOF_README
  jq -r '.cases[] | "| \(.case) | \(.envelopes|map(.file)|join(", ")) | \(.policy) | \(if .notationPassed then "pass" else "fail" end)\(if (.notationFailures|length) > 0 then " (" + (.notationFailures|map(.check + (if .enforced then "" else ", logged" end))|join("; ")) + ")" else "" end) |"' "$OUT/cases.json"
} > "$OUT/README.md"
