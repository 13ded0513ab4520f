#!/usr/bin/env bash
# Uploads every file under DIR/enriched to an S3 bucket with curl's own SigV4 signer (an
# independent client), path-style: upload.sh ENDPOINT BUCKET DIR. Creates the bucket first.
# Credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (default S3RVER/S3RVER).
set -euo pipefail
endpoint="$1"; bucket="$2"; dir="$3"
user="${AWS_ACCESS_KEY_ID:-S3RVER}:${AWS_SECRET_ACCESS_KEY:-S3RVER}"
sig="aws:amz:${AWS_REGION:-us-east-1}:s3"
empty=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
curl -fsS -X PUT --aws-sigv4 "$sig" --user "$user" -H "x-amz-content-sha256: $empty" \
  --data-binary "" "$endpoint/$bucket" >/dev/null 2>&1 || true  # 409: it exists
cd "$dir"
find enriched -type f | sort | while read -r key; do
  curl -fsS -X PUT --aws-sigv4 "$sig" --user "$user" \
    -H "x-amz-content-sha256: $(sha256sum "$key" | cut -d' ' -f1)" \
    --data-binary "@$key" "$endpoint/$bucket/$key" >/dev/null
done
