# Cloud Conversion Tool on AWS: an ALB in front of a web Auto Scaling group, a worker
# Auto Scaling group fed by SQS, RDS PostgreSQL, S3, SES. Both tiers run the same
# images as docker-compose.yml; templates/user_data.sh.tftpl starts them.

locals {
  name  = "${var.name}-${var.environment}"
  tiers = ["web", "worker"]
  tags = merge(
    { Project = "cloud-conversion-tool", Environment = var.environment, ManagedBy = "terraform" },
    var.tags,
  )

  # Known before the groups exist, so the boot script and IAM policies can name them
  # without a dependency cycle (group -> launch template -> user data -> group).
  autoscaling_group_names = { for tier in local.tiers : tier => "${local.name}-${tier}" }
  worker_drain_hook       = "drain-before-terminate"
  max_receive_count       = 5

  ami_id          = coalesce(var.ami_id, one(data.aws_ssm_parameter.ami[*].insecure_value))
  web_port        = 3000
  worker_port     = 9100
  public_base_url = coalesce(var.public_base_url, module.load_balancer.url)
  ses_from        = coalesce(var.ses_from, "noreply@${var.email_domain}")

  # The app logs in as this role, a member of the group role cct_app that the
  # migrations create with only the privileges the app needs. The master user, kept
  # for migrations, creates it and sets its password (src/db/app-login.ts).
  database_app_user = "cct_app_login"
  # A directory, not a file, is mounted into the containers: the boot script replaces
  # the file when the secret changes, and a file mount would keep the old one.
  database_password_dir = "/run/cct/database"

  # Non-secret configuration of both processes (src/config.ts). JWT_SECRET and the
  # database password are read from Secrets Manager on the instance; AWS_ENDPOINT_URL
  # stays unset.
  app_environment = {
    AWS_REGION             = var.aws_region
    DATABASE_URL           = "postgresql://${local.database_app_user}@${module.database.address}:${module.database.port}/${module.database.database_name}?sslmode=verify-full&sslrootcert=/etc/cct/rds-ca.pem"
    DATABASE_PASSWORD_FILE = "${local.database_password_dir}/password"
    S3_BUCKET              = module.storage.bucket_name
    SQS_QUEUE_URL          = module.queue.queue_url
    SQS_DLQ_URL            = module.queue.dead_letter_queue_url
    SES_FROM               = local.ses_from
    JWT_EXPIRES_IN         = var.jwt_expires_in
    HOST                   = "0.0.0.0"
    PORT                   = local.web_port
    MAX_UPLOAD_BYTES       = var.max_upload_bytes
    WORKER_CONCURRENCY     = var.worker_concurrency
    WORKER_DRAIN_SECONDS   = var.max_conversion_seconds
    WORKER_PORT            = local.worker_port
    PUBLIC_BASE_URL        = local.public_base_url
    LOG_LEVEL              = var.log_level
    FILE_RETENTION_DAYS    = var.file_retention_days # the same value as the S3 lifecycle rule
  }

  # What each tier's boot script reads from Secrets Manager. Only the web tier, which
  # runs the migrations, reads the master user's secret.
  secret_arns = {
    web    = [module.secrets.arns.jwt-secret, module.secrets.arns.database-password, module.database.master_user_secret_arn]
    worker = [module.secrets.arns.jwt-secret, module.secrets.arns.database-password]
  }

  user_data = {
    for tier in local.tiers : tier => templatefile("${path.module}/templates/user_data.sh.tftpl", {
      tier                         = tier
      region                       = var.aws_region
      image                        = "${module.registry.repository_urls[tier]}:${var.image_tag}"
      log_group                    = module.logs.log_group_names[tier]
      environment                  = merge(local.app_environment, local.rate_limit_environment)
      jwt_secret_arn               = module.secrets.arns.jwt-secret
      database_password_secret_arn = module.secrets.arns.database-password
      database_password_dir        = local.database_password_dir
      database_app_user            = local.database_app_user
      master_secret_arn            = module.database.master_user_secret_arn
      database_address             = module.database.address
      database_port                = module.database.port
      database_name                = module.database.database_name
      autoscaling_group            = local.autoscaling_group_names[tier]
      drain_hook                   = local.worker_drain_hook
      health_port                  = local.worker_port
      health_grace_seconds         = local.warmup_seconds
      # Kill a container that outlives its own drain deadline; web requests are short.
      stop_timeout_seconds = tier == "worker" ? var.max_conversion_seconds + 30 : 30
    })
  }

  # From launch to serving: Docker install, image pull, migrations.
  warmup_seconds = 300

  # What differs between the two Auto Scaling groups. The web group also counts the
  # load balancer's health check; a worker's boot script reports its own health.
  groups = {
    web = {
      instance_type     = var.web_instance_type
      min_size          = var.web_min_size
      max_size          = var.web_max_size
      target_group_arns = [module.load_balancer.target_group_arn]
      health_check_type = "ELB"
      enabled_metrics   = []
    }
    worker = {
      instance_type     = var.worker_instance_type
      min_size          = var.worker_min_size
      max_size          = var.worker_max_size
      target_group_arns = []
      health_check_type = "EC2"
      enabled_metrics   = ["GroupInServiceInstances"] # the denominator of the backlog metric
    }
  }
}

# The AMI at a pinned version of its public SSM parameter: a new AMI (which rolls both
# groups) comes only when ami_ssm_parameter_version is raised.
data "aws_ssm_parameter" "ami" {
  count = var.ami_id == null ? 1 : 0

  name = "${var.ami_ssm_parameter}:${var.ami_ssm_parameter_version}"
}

module "network" {
  source = "./modules/network"

  name               = local.name
  cidr_block         = var.vpc_cidr
  single_nat_gateway = var.single_nat_gateway
}

module "registry" {
  source = "./modules/registry"

  name         = local.name
  repositories = local.tiers
  force_delete = !var.deletion_protection
}

module "logs" {
  source = "./modules/logs"

  name              = local.name
  log_groups        = local.tiers
  retention_in_days = var.log_retention_days
}

module "storage" {
  source = "./modules/storage"

  name                 = local.name
  file_retention_days  = var.file_retention_days
  cors_allowed_origins = [local.public_base_url]
  force_destroy        = !var.deletion_protection
}

module "queue" {
  source = "./modules/queue"

  name = local.name
  # Above the longest conversion; the worker also extends visibility while it works.
  visibility_timeout_seconds = var.max_conversion_seconds + 120
  max_receive_count          = local.max_receive_count
}

module "email" {
  source = "./modules/email"

  domain             = var.email_domain
  route53_zone_id    = var.route53_zone_id
  sandbox_recipients = var.ses_sandbox_recipients
}

module "secrets" {
  source = "./modules/secrets"

  name = local.name
  secrets = {
    jwt-secret        = { description = "JWT_SECRET of the Cloud Conversion Tool (signs login tokens)", version = var.jwt_secret_version }
    database-password = { description = "Password of the database role ${local.database_app_user} (the web and worker processes)", version = var.database_password_version }
  }
}

module "database" {
  source = "./modules/database"

  name       = local.name
  vpc_id     = module.network.vpc_id
  subnet_ids = module.network.private_subnet_ids
  allowed_security_group_ids = {
    web    = module.instances["web"].security_group_id
    worker = module.instances["worker"].security_group_id
  }
  instance_class           = var.db_instance_class
  engine_version           = var.db_engine_version
  allocated_storage_gb     = var.db_allocated_storage_gb
  max_allocated_storage_gb = var.db_max_allocated_storage_gb
  multi_az                 = var.db_multi_az
  backup_retention_days    = var.db_backup_retention_days
  log_retention_days       = var.log_retention_days
  deletion_protection      = var.deletion_protection
}

module "alarms" {
  source = "./modules/alarms"

  name                         = local.name
  alarm_email                  = var.alarm_email
  queue_name                   = module.queue.queue_name
  dead_letter_queue_name       = module.queue.dead_letter_queue_name
  max_receive_count            = local.max_receive_count
  max_message_age_seconds      = var.max_conversion_seconds * 2
  load_balancer_arn_suffix     = module.load_balancer.arn_suffix
  target_group_arn_suffix      = module.load_balancer.target_group_arn_suffix
  database_identifier          = module.database.identifier
  database_min_free_storage_gb = max(2, ceil(var.db_max_allocated_storage_gb * 0.05))
}

module "iam" {
  source = "./modules/iam"

  name                    = local.name
  region                  = var.aws_region
  bucket_arn              = module.storage.bucket_arn
  queue_arn               = module.queue.queue_arn
  dead_letter_queue_arn   = module.queue.dead_letter_queue_arn
  email_identity_arns     = module.email.identity_arns
  ses_from                = local.ses_from
  secret_arns             = local.secret_arns
  repository_arns         = module.registry.repository_arns
  log_group_arns          = module.logs.log_group_arns
  autoscaling_group_names = local.autoscaling_group_names
}

# Launch template, Auto Scaling group and security group of each tier.
module "instances" {
  source   = "./modules/instance_group"
  for_each = local.groups

  name                       = local.autoscaling_group_names[each.key]
  vpc_id                     = module.network.vpc_id
  subnet_ids                 = module.network.private_subnet_ids
  ami_id                     = local.ami_id
  instance_type              = each.value.instance_type
  instance_profile_name      = module.iam.instance_profile_names[each.key]
  user_data                  = local.user_data[each.key]
  min_size                   = each.value.min_size
  max_size                   = each.value.max_size
  target_group_arns          = each.value.target_group_arns
  health_check_type          = each.value.health_check_type
  enabled_metrics            = each.value.enabled_metrics
  warmup_seconds             = local.warmup_seconds
  database_security_group_id = module.database.security_group_id
  database_port              = module.database.port
  tags                       = local.tags
}

module "load_balancer" {
  source = "./modules/load_balancer"

  name                       = local.autoscaling_group_names.web
  vpc_id                     = module.network.vpc_id
  public_subnet_ids          = module.network.public_subnet_ids
  allowed_ingress_cidrs      = var.allowed_ingress_cidrs
  certificate_arn            = var.certificate_arn
  app_port                   = local.web_port
  instance_security_group_id = module.instances["web"].security_group_id
  autoscaling_group_name     = module.instances["web"].autoscaling_group_name
  requests_per_instance      = var.web_requests_per_instance
  deletion_protection        = var.deletion_protection
}

module "worker_scaling" {
  source = "./modules/worker_scaling"

  autoscaling_group_name = module.instances["worker"].autoscaling_group_name
  queue_name             = module.queue.queue_name
  backlog_per_instance   = var.worker_backlog_per_instance
  drain_hook_name        = local.worker_drain_hook
  drain_timeout_seconds  = var.max_conversion_seconds + 120
}
