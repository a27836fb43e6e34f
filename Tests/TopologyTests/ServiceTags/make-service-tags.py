#!/usr/bin/env python3
"""Writes ServiceTags_Sample.json: a small service tag file in the shape Azure publishes
(ServiceTags_Public_*.json: {"changeNumber", "cloud", "values": [{"name", "id", "properties":
{"changeNumber", "region", "regionId", "platform", "systemService", "addressPrefixes",
"networkFeatures"}}]}).

The prefixes are invented for the tests (in 40.0.0.0/8 and 2001:db8::/32), not Azure's: the
tests need known answers, not today's ranges. Nested tags nest as Azure's do: Storage.WestEurope
lies inside Storage, and AzureCloud.westeurope holds both regional tags. Run from anywhere:
python3 Tests/TopologyTests/ServiceTags/make-service-tags.py
"""
import json
import os

TAGS = [
    # name, region, system service, IPv4 prefixes, IPv6 prefixes
    ("AzureCloud", "", "", ["40.20.0.0/16", "40.30.0.0/16", "40.40.0.0/14"], ["2001:db8:100::/40"]),
    ("AzureCloud.westeurope", "westeurope", "", ["40.20.64.0/20", "40.30.16.0/23", "40.41.0.0/16"],
     ["2001:db8:140::/44"]),
    ("Storage", "", "AzureStorage", ["40.20.0.0/17", "40.21.8.0/21"], ["2001:db8:120::/48"]),
    ("Storage.WestEurope", "westeurope", "AzureStorage", ["40.20.64.0/20"], []),
    ("Sql", "", "AzureSQL", ["40.30.0.0/18"], ["2001:db8:130::/48", "2001:db8:131::/48"]),
    ("Sql.WestEurope", "westeurope", "AzureSQL", ["40.30.16.0/24", "40.30.17.0/24"], []),
    ("AzureMonitor", "", "AzureMonitor", ["40.42.1.0/24", "40.42.2.16/28"], []),
]


def main():
    values = []
    for name, region, service, v4, v6 in TAGS:
        values.append({
            "name": name,
            "id": name,
            "properties": {
                "changeNumber": 3,
                "region": region,
                "regionId": 18 if region else 0,
                "platform": "Azure",
                "systemService": service,
                "addressPrefixes": v4 + v6,
                "networkFeatures": ["API", "NSG", "UDR", "FW"],
            },
        })
    document = {"changeNumber": 7, "cloud": "Public", "values": values}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ServiceTags_Sample.json")
    with open(path, "w") as out:
        json.dump(document, out, indent=2)
        out.write("\n")


if __name__ == "__main__":
    main()
