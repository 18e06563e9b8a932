#!/usr/bin/env bash
# Fetches the C original (ikcp.c/ikcp.h, classic 1.7.1 code) for the benchmarks that
# measure it in the same run. Nothing third-party is committed: the source comes from the
# PyPI sdist siokcp 0.0.1, which bundles it, into build/reference/kcp/.
set -euo pipefail
cd "$(dirname "$0")/../.."
dest=build/reference/kcp
[ -f "$dest/ikcp.c" ] && exit 0
mkdir -p build/reference
python3 - <<'PY'
import hashlib, io, re, tarfile, urllib.request
index = urllib.request.urlopen("https://pypi.org/simple/siokcp/", timeout=60).read().decode()
link = next(l for l in re.findall(r'href="([^"]+)"', index) if "siokcp-0.0.1.tar.gz" in l)
url, _, digest = link.partition("#sha256=")
data = urllib.request.urlopen(url, timeout=120).read()
if hashlib.sha256(data).hexdigest() != digest:
    raise SystemExit("fetch-ikcp: sha256 mismatch for " + url)
with tarfile.open(fileobj=io.BytesIO(data)) as tar:
    for name in ("ikcp.c", "ikcp.h"):
        member = tar.getmember(f"siokcp-0.0.1/kcp/{name}")
        with open(f"build/reference/{name}", "wb") as out:
            out.write(tar.extractfile(member).read())
PY
mkdir -p "$dest" && mv build/reference/ikcp.c build/reference/ikcp.h "$dest/"
grep -q '#define IKCP_FASTACK_CONSERVE' "$dest/ikcp.c" && grep -q 'IKCP_PROBE_INIT = 7000' "$dest/ikcp.c" \
  || { echo "fetch-ikcp: unexpected ikcp.c (not classic 1.7.1)" >&2; exit 1; }
echo "fetch-ikcp: C original 1.7.1 code in $dest"
