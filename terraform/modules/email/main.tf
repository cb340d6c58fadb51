# An SES domain identity with Easy DKIM. SES verifies the domain once the three DKIM
# CNAME records resolve. New accounts start in the SES sandbox (only verified
# recipients): there SES also checks the sending role against each recipient's
# identity, so the addresses in sandbox_recipients get identities too (SES mails each
# a link to confirm). Request production access once before real users sign up.

resource "aws_sesv2_email_identity" "this" {
  email_identity = var.domain

  dkim_signing_attributes {
    next_signing_key_length = "RSA_2048_BIT"
  }
}

locals {
  dkim_records = [
    for token in aws_sesv2_email_identity.this.dkim_signing_attributes[0].tokens : {
      name  = "${token}._domainkey.${var.domain}"
      type  = "CNAME"
      value = "${token}.dkim.amazonses.com"
    }
  ]
}

resource "aws_route53_record" "this" {
  # Easy DKIM always issues three tokens; the count must be known before they are.
  count = var.route53_zone_id == null ? 0 : 3

  zone_id = var.route53_zone_id
  name    = local.dkim_records[count.index].name
  type    = local.dkim_records[count.index].type
  ttl     = 1800
  records = [local.dkim_records[count.index].value]
}

resource "aws_sesv2_email_identity" "sandbox_recipient" {
  for_each = toset(var.sandbox_recipients)

  email_identity = each.key
}
