"""Writes the AWS CLI's own SQS model, switched to the JSON protocol, under argv[1] (an AWS_DATA_PATH).

Debian's awscli (2.9) predates SQS's JSON protocol. The JSON protocol names every member by its
own name, so dropping the query protocol's XML names is all the change it needs.
"""
import glob
import json
import os
import sys

source = sorted(glob.glob('/usr/lib/python3/dist-packages/awscli/botocore/data/sqs/*/service-2.json'))[-1]
with open(source, encoding='utf-8') as file:
    model = json.load(file)
model['metadata'].update(protocol='json', jsonVersion='1.0', targetPrefix='AmazonSQS')


def strip(node):
    if isinstance(node, dict):
        for key in ('locationName', 'flattened', 'xmlNamespace', 'resultWrapper'):
            node.pop(key, None)
        for value in node.values():
            strip(value)
    elif isinstance(node, list):
        for value in node:
            strip(value)


strip(model)
target = os.path.join(sys.argv[1], 'sqs', os.path.basename(os.path.dirname(source)))
os.makedirs(target, exist_ok=True)
with open(os.path.join(target, 'service-2.json'), 'w', encoding='utf-8') as file:
    json.dump(model, file)
