#!/usr/bin/env bash
# LocalStack runs this when it is ready (a ready.d init hook), on every start, since its state
# lives in memory: the bucket, the dead-letter queue, the queue that redrives to it, and the SES
# identity the app sends from, and the bucket's CORS for the web UI. The names come from the app's configuration in docker-compose.yml
# (CCT_*), so they are written down once.
set -euo pipefail

# As the AWS deployment and `npm run dev` (src/dev/services.ts): after 5 receives a message goes
# to the DLQ; a worker keeps a message invisible for 60 s at a time and extends it while converting.
MAX_RECEIVE_COUNT=5
VISIBILITY_TIMEOUT=60

# LocalStack 4 gives init hooks no credentials. Key id `test` means account 000000000000,
# the one in the app's queue URLs.
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
export AWS_DEFAULT_REGION=${CCT_AWS_REGION:?}

bucket=${CCT_S3_BUCKET:?}
queue_name=${CCT_SQS_QUEUE_URL:?}
queue_name=${queue_name##*/}
dlq_name=${CCT_SQS_DLQ_URL:?}
dlq_name=${dlq_name##*/}
from=${CCT_SES_FROM:?}
cors_origin=${CCT_CORS_ORIGIN:?}

# `s3 mb` adds the LocationConstraint that regions other than us-east-1 require.
awslocal s3 mb "s3://${bucket}"
# As Terraform's bucket CORS: the web UI's pages PUT files and parts with presigned URLs
# (reading each part's ETag) and play results from S3.
cors=$(printf '{"CORSRules":[{"AllowedOrigins":["%s"],"AllowedMethods":["GET","HEAD","PUT","POST"],"AllowedHeaders":["*"],"ExposeHeaders":["ETag"],"MaxAgeSeconds":3600}]}' "$cors_origin")
awslocal s3api put-bucket-cors --bucket "$bucket" --cors-configuration "$cors"

dlq_url=$(awslocal sqs create-queue --queue-name "$dlq_name" --query QueueUrl --output text)
dlq_arn=$(awslocal sqs get-queue-attributes --queue-url "$dlq_url" --attribute-names QueueArn \
  --query Attributes.QueueArn --output text)
# RedrivePolicy is a JSON document inside a JSON string, hence the escaped quotes.
attributes=$(printf '{"VisibilityTimeout":"%s","RedrivePolicy":"{\\"deadLetterTargetArn\\":\\"%s\\",\\"maxReceiveCount\\":\\"%s\\"}"}' \
  "$VISIBILITY_TIMEOUT" "$dlq_arn" "$MAX_RECEIVE_COUNT")
awslocal sqs create-queue --queue-name "$queue_name" --attributes "$attributes" >/dev/null

# LocalStack, like SES, rejects mail from an unverified sender.
awslocal ses verify-email-identity --email-address "$from"

echo "cct: bucket ${bucket}, queue ${queue_name} (DLQ ${dlq_name}), SES sender ${from} ready"
