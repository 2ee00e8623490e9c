"""moto's server, as scripts/lib/moto.ts starts it, with five fixes to moto 5.2.1.

1. IAM role deletion. moto's CloudFormation deletes an AWS::IAM::Role by clearing its name from
   every inline policy's `role_names`, but a policy attached only to users (an AWS::IAM::Policy
   with `Users`) keeps `role_names = None`, and moto raises TypeError (HTTP 500). AWS deletes the
   role. Stackroom's user stacks hold both kinds, so removing a user's SFTP access (which removes
   its Transfer role) failed locally only. The fix reads a missing `role_names` as an empty list
   before moto's own code runs.

2. The properties of an AWS::S3::Bucket. moto's CloudFormation
   (`FakeBucket.create_from_cloudformation_json` / `update_from_cloudformation_json`) applies only
   `BucketEncryption` and `Tags`; AWS also applies the rest of the bucket's properties. Locally a
   Stackroom bucket was therefore unversioned, had no public-access block, no ownership controls,
   no lifecycle rules and sent no object events, whatever its template said. After moto's own
   code, the fix applies, through moto's own S3 backend (the same calls as S3's Put* APIs, in the
   shape moto's XML parsing hands them over):
     - NotificationConfiguration: TopicConfigurations, QueueConfigurations, LambdaConfigurations
       (S3Key filter rules included) and EventBridgeConfiguration -> put_bucket_notification_configuration
       (moto then sends S3's s3:TestEvent to each topic and queue, as AWS does);
     - VersioningConfiguration -> put_bucket_versioning;
     - PublicAccessBlockConfiguration -> put_public_access_block;
     - OwnershipControls -> put_bucket_ownership_controls;
     - LifecycleConfiguration -> put_bucket_lifecycle (Id, Status, Prefix/TagFilters, expiration,
       transitions, noncurrent-version expiration and transitions, abort of incomplete multipart
       uploads; ObjectSizeGreaterThan/LessThan have no place in moto's rules and are dropped).
   An update that removes NotificationConfiguration, PublicAccessBlockConfiguration,
   OwnershipControls or LifecycleConfiguration removes that configuration, as AWS does; one that
   removes VersioningConfiguration leaves versioning as it is (a bucket cannot become unversioned).
   A replacement (another BucketName) goes through the create path and gets everything there.

3. The delete-marker event. On a versioned bucket, a DeleteObject without a version id only adds
   a delete marker, and moto sends no event for it; AWS sends s3:ObjectRemoved:DeleteMarkerCreated.
   Stackroom's buckets are versioned by default, so locally no delete was ever notified. The fix
   sends that event through moto's own dispatch (`notifications.send_event`), with the record's
   `s3.object` holding what AWS's holds for a delete marker: `key` (URL-encoded as moto encodes
   every key) and the marker's `versionId`, no size and no eTag.

4. The event record. moto's record has no `userIdentity` (who did it), `requestParameters`,
   `responseElements`, `s3.bucket.ownerIdentity`, `s3.object.sequencer` nor the created object's
   `versionId`; its `eventTime` is moto's clock with microseconds and no zone, and its key has `/`
   encoded as `%2F`. Stackroom tells who uploaded a file by `userIdentity.principalId`, so locally
   every upload was "someone outside Stackroom". The fix remembers, per request, the access key
   that signed the S3 call (moto's own parsing of it) and the caller's address, and writes the
   record as AWS does: `principalId` `AWS:<UserId>` for an IAM user's key, `AWS:<RoleId>:<session>`
   for an assumed role's (moto's sts sessions; how SFTP users reach S3), `anonymous` otherwise;
   the source IP; a request id and id-2; an increasing `sequencer`; `versionId`; `eventTime` in
   UTC with milliseconds and `Z`; the key with `/` kept.

5. A stack's LastUpdatedTime. moto's DescribeStacks never names one: a stack updated twice looks
   the same (UPDATE_COMPLETE) before and after the second update. AWS sets LastUpdatedTime on every
   update, and Stackroom's heal reads a template again only for a stack whose status or update
   time moved (durable-objects/seen-stacks.ts). The fix stamps it after moto's own update.

What moto's notification records still lack (see test/README.md): SNS delivers them without the
Subject "Amazon S3 Notification", and the owner identity and request ids are made up, not S3's.

Everything else is moto as installed: `python3 moto_server.py <moto.server arguments>`.
"""

import base64
import itertools
import secrets
import sys
import threading
import time
import types
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote_plus

from moto.cloudformation import models as cloudformation
from moto.core.utils import utcnow
from moto.iam import models as iam
from moto.s3 import models as s3
from moto.s3 import notifications
from moto.s3 import responses as s3_responses
from moto.sts import models as sts_models

# 1. IAM role deletion ---------------------------------------------------------------------------

_delete_role = iam.Role.delete_from_cloudformation_json.__func__


def _delete_role_with_user_policies(cls, resource_name, cloudformation_json, account_id, region_name):
    backend = iam.iam_backends[account_id][iam.get_partition(region_name)]
    for policy in backend.inline_policies.values():
        if policy.role_names is None:
            policy.role_names = []
    return _delete_role(cls, resource_name, cloudformation_json, account_id, region_name)


iam.Role.delete_from_cloudformation_json = classmethod(_delete_role_with_user_policies)

# 2. The properties of an AWS::S3::Bucket ---------------------------------------------------------

# CloudFormation's list property, the key moto's parsed XML uses, and the ARN's key in each.
_NOTIFICATION_TARGETS = (
    ("TopicConfigurations", "TopicConfiguration", "Topic", "Topic"),
    ("QueueConfigurations", "QueueConfiguration", "Queue", "Queue"),
    ("LambdaConfigurations", "CloudFunctionConfiguration", "Function", "CloudFunction"),
)


def _notification_config(cfn: dict[str, Any]) -> dict[str, Any]:
    """CloudFormation's NotificationConfiguration as moto's PutBucketNotification parsing gives it."""
    config: dict[str, Any] = {}
    for cfn_list, api_key, cfn_arn, api_arn in _NOTIFICATION_TARGETS:
        targets = []
        for target in cfn.get(cfn_list) or []:
            item: dict[str, Any] = {api_arn: target[cfn_arn], "Event": [target["Event"]]}
            rules = ((target.get("Filter") or {}).get("S3Key") or {}).get("Rules") or []
            if rules:
                # moto matches the names "prefix" and "suffix" only; S3 takes either case.
                item["Filter"] = {"S3Key": {"FilterRule": [{"Name": r["Name"].lower(), "Value": r["Value"]} for r in rules]}}
            targets.append(item)
        if targets:
            config[api_key] = targets
    if str((cfn.get("EventBridgeConfiguration") or {}).get("EventBridgeEnabled", "")).lower() == "true":
        config["EventBridgeConfiguration"] = {}
    return config


def _without_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _lifecycle_rule(cfn: dict[str, Any]) -> dict[str, Any]:
    """One CloudFormation lifecycle Rule as moto's PutBucketLifecycleConfiguration parsing gives it."""
    rule: dict[str, Any] = _without_none({"ID": cfn.get("Id"), "Status": cfn["Status"]})
    prefix = cfn.get("Prefix")
    tags = [{"Key": t["Key"], "Value": t["Value"]} for t in cfn.get("TagFilters") or []]
    if tags and (prefix is not None or len(tags) > 1):
        rule["Filter"] = {"And": _without_none({"Prefix": prefix, "Tag": tags})}
    elif tags:
        rule["Filter"] = {"Tag": tags[0]}
    else:
        rule["Filter"] = {"Prefix": prefix or ""}
    expiration = _without_none(
        {
            "Days": cfn.get("ExpirationInDays"),
            "Date": cfn.get("ExpirationDate"),
            "ExpiredObjectDeleteMarker": cfn.get("ExpiredObjectDeleteMarker"),
        }
    )
    if expiration:
        rule["Expiration"] = expiration
    transitions = list(cfn.get("Transitions") or []) + ([cfn["Transition"]] if cfn.get("Transition") else [])
    if transitions:
        rule["Transition"] = [
            _without_none({"Days": t.get("TransitionInDays"), "Date": t.get("TransitionDate"), "StorageClass": t.get("StorageClass")})
            for t in transitions
        ]
    noncurrent = cfn.get("NoncurrentVersionExpiration")
    if noncurrent is None and cfn.get("NoncurrentVersionExpirationInDays") is not None:
        noncurrent = {"NoncurrentDays": cfn["NoncurrentVersionExpirationInDays"]}
    if noncurrent:
        rule["NoncurrentVersionExpiration"] = _without_none(
            {"NoncurrentDays": noncurrent.get("NoncurrentDays"), "NewerNoncurrentVersions": noncurrent.get("NewerNoncurrentVersions")}
        )
    noncurrent_transitions = list(cfn.get("NoncurrentVersionTransitions") or []) + (
        [cfn["NoncurrentVersionTransition"]] if cfn.get("NoncurrentVersionTransition") else []
    )
    if noncurrent_transitions:
        rule["NoncurrentVersionTransition"] = [
            _without_none(
                {
                    "NoncurrentDays": t.get("TransitionInDays"),
                    "StorageClass": t.get("StorageClass"),
                    "NewerNoncurrentVersions": t.get("NewerNoncurrentVersions"),
                }
            )
            for t in noncurrent_transitions
        ]
    abort = cfn.get("AbortIncompleteMultipartUpload")
    if abort:
        rule["AbortIncompleteMultipartUpload"] = {"DaysAfterInitiation": abort["DaysAfterInitiation"]}
    return rule


def _public_access_block(cfn: dict[str, Any]) -> dict[str, Any]:
    # An omitted flag is false in S3 too.
    names = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
    return {name: cfn.get(name, False) for name in names}


def _apply_bucket_properties(backend: Any, bucket_name: str, properties: dict[str, Any], updating: bool) -> None:
    """What AWS applies of a bucket's properties beyond encryption and tags (moto's own code does those)."""
    if "VersioningConfiguration" in properties:
        backend.put_bucket_versioning(bucket_name, properties["VersioningConfiguration"]["Status"])

    if "PublicAccessBlockConfiguration" in properties:
        backend.put_public_access_block(bucket_name, _public_access_block(properties["PublicAccessBlockConfiguration"]))
    elif updating:
        backend.delete_public_access_block(bucket_name)

    rules = (properties.get("OwnershipControls") or {}).get("Rules") or []
    if rules:
        backend.put_bucket_ownership_controls(bucket_name, ownership=rules[0]["ObjectOwnership"])
    elif updating:
        backend.delete_bucket_ownership_controls(bucket_name)

    if "LifecycleConfiguration" in properties:
        lifecycle = [_lifecycle_rule(r) for r in properties["LifecycleConfiguration"].get("Rules") or []]
        backend.put_bucket_lifecycle(bucket_name, lifecycle)
    elif updating:
        backend.delete_bucket_lifecycle(bucket_name)

    if "NotificationConfiguration" in properties:
        backend.put_bucket_notification_configuration(bucket_name, _notification_config(properties["NotificationConfiguration"]))
    elif updating:
        backend.put_bucket_notification_configuration(bucket_name, {})


def _s3_backend(account_id: str, region_name: str) -> Any:
    return s3.s3_backends[account_id][s3.get_partition(region_name)]


_create_bucket = s3.FakeBucket.create_from_cloudformation_json.__func__
_update_bucket = s3.FakeBucket.update_from_cloudformation_json.__func__


def _create_bucket_with_properties(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    bucket = _create_bucket(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
    properties = cloudformation_json.get("Properties", {})
    _apply_bucket_properties(_s3_backend(account_id, region_name), bucket.name, properties, updating=False)
    return bucket


def _update_bucket_with_properties(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    bucket = _update_bucket(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name)
    # A replacement was made by create_from_cloudformation_json, which applied them already.
    if bucket is original_resource:
        properties = cloudformation_json.get("Properties", {})
        _apply_bucket_properties(_s3_backend(account_id, region_name), bucket.name, properties, updating=True)
    return bucket


s3.FakeBucket.create_from_cloudformation_json = classmethod(_create_bucket_with_properties)
s3.FakeBucket.update_from_cloudformation_json = classmethod(_update_bucket_with_properties)

# 3. The delete-marker event ------------------------------------------------------------------------

_delete_object = s3.S3Backend.delete_object


def _delete_object_with_marker_event(self, bucket_name, key_name, version_id=None, bypass=False):
    deleted, meta = _delete_object(self, bucket_name, key_name, version_id=version_id, bypass=bypass)
    if version_id is None and meta.get("delete-marker") == "true":
        bucket = self.get_bucket(bucket_name)
        marker = bucket.keys.get(key_name)
        if isinstance(marker, s3.FakeDeleteMarker):
            notifications.send_event(
                self.account_id,
                notifications.S3NotificationEvent.OBJECT_REMOVED_DELETE_MARKER_CREATED_EVENT,
                bucket,
                marker,
            )
    return deleted, meta


_s3_event = notifications._get_s3_event


def _s3_event_of_any_key(event_name, bucket, key, notification_id):
    if not isinstance(key, s3.FakeDeleteMarker):
        return _s3_event(event_name, bucket, key, notification_id)
    # moto's record reads a key's eTag and size, which a delete marker has not.
    event = _s3_event(event_name, bucket, types.SimpleNamespace(name=key.name, etag="", size=0), notification_id)
    event["Records"][0]["s3"]["object"] = {"key": quote_plus(key.name), "versionId": key.version_id}
    return event


s3.S3Backend.delete_object = _delete_object_with_marker_event

# 4. The record as AWS writes it ----------------------------------------------------------------------

# What S3 knows of the request that caused an event, kept per server thread: moto's server answers
# each request on its own thread and sends the event on it, before the S3 call answers.
_request = threading.local()
_sequence = itertools.count(int(time.time() * 1000) << 16)
_s3_setup = s3_responses.S3Response.setup_class


def _s3_setup_remembering_caller(self, request, full_url, headers):
    _s3_setup(self, request, full_url, headers)
    forwarded = (request.headers.get("X-Forwarded-For") or "").split(",")[0].strip()
    _request.caller = (getattr(self, "access_key", None), getattr(self, "current_account", None))
    _request.ip = forwarded or getattr(request, "remote_addr", None) or "127.0.0.1"


def _principal_id(access_key, account_id):
    """S3's userIdentity.principalId: `AWS:<UserId>` for an IAM user, `AWS:<RoleId>:<session>` for a role session."""
    if not access_key or not account_id:
        return None
    partition = "aws"
    try:
        key = iam.iam_backends[account_id][partition].access_keys.get(access_key)
        if key is not None and key.user_name:
            return "AWS:" + iam.iam_backends[account_id][partition].get_user(key.user_name).id
        session = sts_models.sts_backends[account_id][partition].get_assumed_role_from_access_key(access_key)
        if session is not None:
            return "AWS:" + session.user_id
    except Exception:  # noqa: BLE001  (an unknown caller is told as AWS tells an anonymous one)
        return None
    return None


def _s3_event_as_aws_writes_it(event_name, bucket, key, notification_id):
    event = _s3_event_of_any_key(event_name, bucket, key, notification_id)
    record = event["Records"][0]
    access_key, account_id = getattr(_request, "caller", (None, None))
    principal = _principal_id(access_key, account_id)
    record["eventTime"] = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    record["userIdentity"] = {"principalId": principal or "anonymous"}
    record["requestParameters"] = {"sourceIPAddress": getattr(_request, "ip", "127.0.0.1")}
    record["responseElements"] = {"x-amz-request-id": secrets.token_hex(8).upper(), "x-amz-id-2": base64.b64encode(secrets.token_bytes(48)).decode()}
    record["s3"]["bucket"]["ownerIdentity"] = {"principalId": "A" + secrets.token_hex(6).upper()}
    obj = record["s3"]["object"]
    obj["key"] = quote_plus(key.name, safe="/")
    if getattr(key, "version_id", None) and "versionId" not in obj:
        obj["versionId"] = key.version_id
    obj["sequencer"] = format(next(_sequence), "X").rjust(18, "0")
    return event


s3_responses.S3Response.setup_class = _s3_setup_remembering_caller
notifications._get_s3_event = _s3_event_as_aws_writes_it

# 5. A stack's LastUpdatedTime -------------------------------------------------------------------------

_update_stack = cloudformation.Stack.update


def _update_stack_stamped(self, *args, **kwargs):
    _update_stack(self, *args, **kwargs)
    self.last_updated_time = utcnow()


cloudformation.Stack.update = _update_stack_stamped

from moto.server import main  # noqa: E402  (after the fixes, so the server sees them)

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
