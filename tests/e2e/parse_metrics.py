"""Parses the Prometheus text format on stdin with the stock prometheus-client parser and
prints every sample as JSON: [{"name": ..., "labels": {...}, "value": ...}, ...]. A text the
parser refuses makes it exit non-zero."""

import json
import sys

from prometheus_client.parser import text_string_to_metric_families

samples = []
for family in text_string_to_metric_families(sys.stdin.read()):
    for sample in family.samples:
        samples.append({"name": sample.name, "labels": sample.labels, "value": sample.value})
json.dump(samples, sys.stdout)
