# Uploaded originals and converted files, at users/<uid>/tasks/<tid>/{original,converted}.*:
# private, encrypted, TLS only, and expired after file_retention_days.

resource "aws_s3_bucket" "this" {
  bucket_prefix = "${var.name}-files-"
  force_destroy = var.force_destroy
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket = aws_s3_bucket.this.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

# ACLs off: access is decided by IAM policies alone.
resource "aws_s3_bucket_ownership_controls" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

# SSE-S3: encrypted at rest with no KMS key to pay for or grant.
resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

# Direct uploads (users/<uid>/uploads/<id>.<ext>) become the task's original in place, so
# these rules cover them too: unfinished multipart uploads go after a day, and uploads
# that never became a task are deleted by the worker's sweeper soon after their URLs expire.
# Lifecycle filters match key prefixes (or tags), and "converted" sits in the middle of
# the key, so no prefix selects converted files alone. Tagging them would need the app
# to tag every upload; instead everything under users/ expires after the retention
# period: a task's original and result go together. Versioning stays off so that a
# deleted or expired file is really gone (users' audio is not kept longer than needed).
resource "aws_s3_bucket_lifecycle_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    id     = "expire-user-files"
    status = "Enabled"

    filter {
      prefix = "users/"
    }

    expiration {
      days = var.file_retention_days
    }
  }

  # Streaming uploads are multipart; parts of an interrupted one cost storage until aborted.
  rule {
    id     = "abort-incomplete-uploads"
    status = "Enabled"

    filter {
      prefix = "users/"
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

# The web UI's pages PUT files (and multipart parts, reading each part's ETag) and play
# results with presigned URLs (POST /api/uploads, the task's `urls`), straight to S3.
resource "aws_s3_bucket_cors_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  cors_rule {
    allowed_methods = ["GET", "HEAD", "PUT", "POST"]
    allowed_origins = var.cors_allowed_origins
    allowed_headers = ["*"]
    expose_headers  = ["ETag"]
    max_age_seconds = 3600
  }
}

# Refuse plain-HTTP requests. Actions are listed (no wildcards, by project rule): every
# object and bucket action the app's roles hold.
data "aws_iam_policy_document" "this" {
  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListBucket", "s3:ListMultipartUploadParts"]
    resources = [
      aws_s3_bucket.this.arn,
      "${aws_s3_bucket.this.arn}/*",
    ]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  bucket = aws_s3_bucket.this.id
  policy = data.aws_iam_policy_document.this.json

  # S3 refuses concurrent changes to one bucket's settings; apply them one after another.
  depends_on = [aws_s3_bucket_public_access_block.this]
}
