# Only image_tag and email_domain have no default. Everything else is a safe, small
# production setup; README.md lists the variables that matter and what they cost.

variable "aws_region" {
  description = "AWS region of every resource, e.g. us-east-1."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.aws_region))
    error_message = "aws_region must be a region code such as us-east-1."
  }
}

variable "name" {
  description = "Short prefix of every resource name."
  type        = string
  default     = "cct"

  validation {
    condition     = can(regex("^[a-z](-?[a-z0-9])+$", var.name)) && length(var.name) <= 12
    error_message = "name must be 2-12 lower-case letters, digits and single hyphens, starting with a letter and not ending with a hyphen (RDS refuses -- and a trailing -; load balancer names are limited to 32 characters)."
  }
}

variable "environment" {
  description = "Environment name, part of resource names and tags, e.g. prod or staging."
  type        = string
  default     = "prod"

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,9}$", var.environment))
    error_message = "environment must be 2-10 lower-case letters or digits, starting with a letter."
  }
}

variable "tags" {
  description = "Tags added to every resource (merged with Project, Environment and ManagedBy)."
  type        = map(string)
  default     = {}
}

variable "deletion_protection" {
  description = "Protects the load balancer and database from deletion and keeps the bucket and image repositories from being destroyed while not empty. Set false (and apply) before `terraform destroy`."
  type        = bool
  default     = true
}

# --- Network -----------------------------------------------------------------

variable "vpc_cidr" {
  description = "CIDR block of the VPC; /16 to /18 (it is split into two public /24-/26 and two private /20-/22 subnets)."
  type        = string
  default     = "10.0.0.0/16"

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && try(tonumber(split("/", var.vpc_cidr)[1]) >= 16 && tonumber(split("/", var.vpc_cidr)[1]) <= 18, false)
    error_message = "vpc_cidr must be an IPv4 CIDR block from /16 to /18, e.g. 10.0.0.0/16."
  }
}

variable "single_nat_gateway" {
  description = "One NAT gateway for both private subnets (cheaper) instead of one per availability zone (survives the loss of a zone)."
  type        = bool
  default     = true
}

variable "allowed_ingress_cidrs" {
  description = "IPv4 CIDR blocks allowed to reach the load balancer on ports 80 and 443."
  type        = list(string)
  default     = ["0.0.0.0/0"]

  validation {
    condition     = length(var.allowed_ingress_cidrs) > 0 && alltrue([for cidr in var.allowed_ingress_cidrs : can(cidrhost(cidr, 0))])
    error_message = "allowed_ingress_cidrs must be a non-empty list of IPv4 CIDR blocks."
  }
}

# --- Release and front door ----------------------------------------------------

variable "image_tag" {
  description = "Tag of the web and worker images in ECR to run (e.g. the git commit). Changing it rolls both tiers."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.image_tag))
    error_message = "image_tag must be a Docker tag: letters, digits, _, . and -, at most 128 characters."
  }
}

variable "certificate_arn" {
  description = "ACM certificate ARN for HTTPS on the load balancer (HTTP then redirects to HTTPS). Required unless allow_plain_http is true; terraform.tfvars.example says how to get one."
  type        = string
  default     = null

  validation {
    condition     = var.certificate_arn == null || can(regex("^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/.+$", var.certificate_arn))
    error_message = "certificate_arn must be an ACM certificate ARN or null."
  }

  validation {
    condition     = var.certificate_arn != null || var.allow_plain_http
    error_message = "Set certificate_arn (an ACM certificate for your host name, see terraform.tfvars.example): without it passwords and tokens cross the internet in clear text. To serve plain HTTP anyway, e.g. for a first try, set allow_plain_http = true."
  }
}

variable "allow_plain_http" {
  description = "Serve plain HTTP when certificate_arn is null (passwords and tokens in clear text). With a certificate, HTTP always redirects to HTTPS."
  type        = bool
  default     = false
}

variable "public_base_url" {
  description = "Public URL of the service without a trailing slash (used in email links and CORS), e.g. https://convert.example.com. Null uses the load balancer's DNS name."
  type        = string
  default     = null

  validation {
    condition     = var.public_base_url == null || can(regex("^https?://[^/\\s]+$", var.public_base_url))
    error_message = "public_base_url must look like https://host (no path, no trailing slash) or be null."
  }
}

variable "ami_id" {
  description = "AMI of the web and worker instances (x86_64, with Docker available from its package manager and the AWS CLI). Null: the AMI that ami_ssm_parameter names at ami_ssm_parameter_version."
  type        = string
  default     = null

  validation {
    condition     = var.ami_id == null || can(regex("^ami-[0-9a-f]{8,17}$", var.ami_id))
    error_message = "ami_id must be an AMI id such as ami-0123456789abcdef0, or null."
  }
}

variable "ami_ssm_parameter" {
  description = "Public SSM parameter that names the current Amazon Linux 2023 AMI."
  type        = string
  default     = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
}

variable "ami_ssm_parameter_version" {
  description = "Version of ami_ssm_parameter to run, so that the AMI changes only when you raise it (which rolls both tiers). The newest: aws ssm get-parameter --name <ami_ssm_parameter> --query Parameter.Version."
  type        = number
  default     = null

  validation {
    condition     = var.ami_id != null || try(var.ami_ssm_parameter_version >= 1, false)
    error_message = "Set ami_ssm_parameter_version (see terraform.tfvars.example for the command that prints the newest) or ami_id."
  }
}

# --- Web tier --------------------------------------------------------------------

variable "web_instance_type" {
  description = "EC2 instance type of the web tier."
  type        = string
  default     = "t3.small"
}

variable "web_min_size" {
  description = "Minimum number of web instances."
  type        = number
  default     = 1

  validation {
    condition     = var.web_min_size >= 1
    error_message = "web_min_size must be at least 1."
  }
}

variable "web_max_size" {
  description = "Maximum number of web instances."
  type        = number
  default     = 3

  validation {
    condition     = var.web_max_size >= var.web_min_size && var.web_max_size <= 20
    error_message = "web_max_size must be at least web_min_size and at most 20."
  }
}

variable "web_requests_per_instance" {
  description = "Target of the web tier's scaling policy: load balancer requests per instance per minute."
  type        = number
  default     = 1000

  validation {
    condition     = var.web_requests_per_instance > 0
    error_message = "web_requests_per_instance must be positive."
  }
}

# --- Worker tier -----------------------------------------------------------------

variable "worker_instance_type" {
  description = "EC2 instance type of the worker tier (ffmpeg is CPU-bound: compute-optimised types fit)."
  type        = string
  default     = "c6i.large"
}

variable "worker_min_size" {
  description = "Minimum number of worker instances."
  type        = number
  default     = 1

  validation {
    condition     = var.worker_min_size >= 1
    error_message = "worker_min_size must be at least 1."
  }
}

variable "worker_max_size" {
  description = "Maximum number of worker instances."
  type        = number
  default     = 4

  validation {
    condition     = var.worker_max_size >= var.worker_min_size && var.worker_max_size <= 50
    error_message = "worker_max_size must be at least worker_min_size and at most 50."
  }
}

variable "worker_concurrency" {
  description = "Conversions one worker instance runs at once (WORKER_CONCURRENCY); the vCPU count of worker_instance_type is a good value."
  type        = number
  default     = 2

  validation {
    condition     = var.worker_concurrency >= 1 && var.worker_concurrency <= 256
    error_message = "worker_concurrency must be between 1 and 256."
  }
}

variable "worker_backlog_per_instance" {
  description = "Target of the worker tier's scaling policy: visible queue messages per in-service worker instance."
  type        = number
  default     = 10

  validation {
    condition     = var.worker_backlog_per_instance > 0
    error_message = "worker_backlog_per_instance must be positive."
  }
}

variable "max_conversion_seconds" {
  description = "Longest expected conversion. The queue's visibility timeout is above it, and a stopping worker lets running conversions finish for this long (WORKER_DRAIN_SECONDS)."
  type        = number
  default     = 900

  validation {
    condition     = var.max_conversion_seconds >= 60 && var.max_conversion_seconds <= 3600
    error_message = "max_conversion_seconds must be between 60 and 3600 (the most WORKER_DRAIN_SECONDS accepts)."
  }
}

# --- Database --------------------------------------------------------------------

variable "db_instance_class" {
  description = "RDS instance class of the PostgreSQL database."
  type        = string
  default     = "db.t4g.micro"
}

variable "db_engine_version" {
  description = "PostgreSQL version: a major version (minor upgrades are automatic) or major.minor."
  type        = string
  default     = "17"

  validation {
    condition     = can(regex("^1[4-9](\\.[0-9]+)?$", var.db_engine_version))
    error_message = "db_engine_version must be PostgreSQL 14 or newer, e.g. 17 or 17.5."
  }
}

variable "db_allocated_storage_gb" {
  description = "Initial database storage in GiB; storage autoscaling may grow it to db_max_allocated_storage_gb."
  type        = number
  default     = 20

  validation {
    condition     = var.db_allocated_storage_gb >= 20
    error_message = "db_allocated_storage_gb must be at least 20 (gp3 minimum)."
  }
}

variable "db_max_allocated_storage_gb" {
  description = "Upper limit of database storage autoscaling in GiB."
  type        = number
  default     = 100

  validation {
    condition     = var.db_max_allocated_storage_gb >= var.db_allocated_storage_gb
    error_message = "db_max_allocated_storage_gb must be at least db_allocated_storage_gb."
  }
}

variable "db_multi_az" {
  description = "Run a standby database in a second availability zone (doubles the database cost)."
  type        = bool
  default     = false
}

variable "db_backup_retention_days" {
  description = "Days of automated database backups (point-in-time recovery window)."
  type        = number
  default     = 7

  validation {
    condition     = var.db_backup_retention_days >= 1 && var.db_backup_retention_days <= 35
    error_message = "db_backup_retention_days must be between 1 and 35."
  }
}

# --- Files, email, logs, app settings ---------------------------------------------

variable "file_retention_days" {
  description = "Days uploaded and converted files are kept: the app's FILE_RETENTION_DAYS (its sweeper deletes them and marks the task expired) and the S3 lifecycle rule behind it (everything under users/)."
  type        = number
  default     = 7

  validation {
    condition     = var.file_retention_days >= 1
    error_message = "file_retention_days must be at least 1."
  }
}

variable "email_domain" {
  description = "Domain that sends notification emails; an SES identity with DKIM is created for it."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]*[a-z0-9])?\\.)+[a-z]{2,}$", var.email_domain))
    error_message = "email_domain must be a lower-case domain name such as example.com."
  }
}

variable "ses_from" {
  description = "Sender address of notification emails (SES_FROM); must be at email_domain. Null means noreply@<email_domain>."
  type        = string
  default     = null

  validation {
    condition     = var.ses_from == null || can(regex("^[^@\\s]+@[^@\\s]+$", var.ses_from)) && endswith(coalesce(var.ses_from, "-"), "@${var.email_domain}")
    error_message = "ses_from must be an address at email_domain (the SES identity it is sent from), e.g. noreply@<email_domain>, or null."
  }
}

variable "ses_sandbox_recipients" {
  description = "While the account is in the SES sandbox: addresses that may receive notification emails (each gets an identity; SES mails it a link to confirm). Empty once the account has production access."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for address in var.ses_sandbox_recipients : can(regex("^[^@\\s]+@[^@\\s]+$", address))])
    error_message = "ses_sandbox_recipients must be email addresses."
  }
}

variable "route53_zone_id" {
  description = "Route 53 hosted zone of email_domain; when set, the DKIM records are created there. Null: add the records from the ses_dkim_records output yourself."
  type        = string
  default     = null
}

variable "alarm_email" {
  description = "Address subscribed to the alarms (README.md, \"Read the alarms\"). Null: subscribe to the alarm_topic_arn output yourself."
  type        = string
  default     = null

  validation {
    condition     = var.alarm_email == null || can(regex("^[^@\\s]+@[^@\\s]+$", var.alarm_email))
    error_message = "alarm_email must be an email address or null."
  }
}

variable "log_retention_days" {
  description = "Days CloudWatch keeps the application and database logs."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts, e.g. 7, 14, 30, 90 or 365."
  }
}

variable "log_level" {
  description = "LOG_LEVEL of the web and worker processes."
  type        = string
  default     = "info"

  validation {
    condition     = contains(["fatal", "error", "warn", "info", "debug", "trace", "silent"], var.log_level)
    error_message = "log_level must be one of fatal, error, warn, info, debug, trace, silent."
  }
}

variable "jwt_secret_version" {
  description = "Raise by one to write a new random JWT_SECRET (signs everyone out; the instances restart the app within a minute)."
  type        = number
  default     = 1
}

variable "database_password_version" {
  description = "Raise by one to write a new random password for the app's database role (no restart: README.md, \"Rotate secrets\")."
  type        = number
  default     = 1
}

variable "jwt_expires_in" {
  description = "Lifetime of login tokens (JWT_EXPIRES_IN): a number and s, m, h or d."
  type        = string
  default     = "1h"

  validation {
    condition     = can(regex("^[1-9][0-9]*[smhd]$", var.jwt_expires_in))
    error_message = "jwt_expires_in must be a number followed by s, m, h or d, e.g. 1h."
  }
}

variable "max_upload_bytes" {
  description = "Largest accepted upload in bytes (MAX_UPLOAD_BYTES)."
  type        = number
  default     = 1073741824

  validation {
    condition     = var.max_upload_bytes >= 1
    error_message = "max_upload_bytes must be positive."
  }
}

# Optional: rate limits shared by all web instances through ElastiCache Redis
# (RATE_LIMIT_REDIS_URL). Off by default: then each instance counts on its own, and the
# effective limit is the configured one times the number of web instances.
variable "shared_rate_limits" {
  description = "Create an ElastiCache Redis for rate-limit counters shared by all web instances."
  type        = bool
  default     = false
}
