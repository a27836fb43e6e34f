#!/usr/bin/env python3
"""Writes the sample topologies in this folder. Run from anywhere: python3 Topologies/make-samples.py
(every sample), or name the ones to write: python3 Topologies/make-samples.py azure-hub-and-spoke.json

Each sample is small and named after what it shows; the verdicts it must produce are worked out by
hand in Sources/Topology/Reachability/DESIGN.md and checked by Tests/TopologyTests and CLITests.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SUB = "/subscriptions/11111111-1111-1111-1111-111111111111"


def rid(rg, provider_type, *names):
    """An Azure resource id; `rg` case varies on purpose, as in real exports."""
    parts = provider_type.split("/")
    path = parts[0]
    for i, segment in enumerate(parts[1:]):
        path += "/" + segment
        if i < len(names):
            path += "/" + names[i]
    return f"{SUB}/resourceGroups/{rg}/providers/{path}"


VNET = "Microsoft.Network/virtualNetworks"
SUBNET = "Microsoft.Network/virtualNetworks/subnets"
NSG = "Microsoft.Network/networkSecurityGroups"
NIC = "Microsoft.Network/networkInterfaces"
PIP = "Microsoft.Network/publicIPAddresses"
ASG = "Microsoft.Network/applicationSecurityGroups"
VM = "Microsoft.Compute/virtualMachines"


def rule(name, priority, direction, access, protocol, src="*", dst="*", ports="*", description="", **extra):
    props = {
        "priority": priority, "direction": direction, "access": access, "protocol": protocol,
        "sourcePortRange": "*", "description": description,
    }
    if isinstance(src, list):
        props["sourceAddressPrefixes"] = src
    elif src is not None:
        props["sourceAddressPrefix"] = src
    if isinstance(dst, list):
        props["destinationAddressPrefixes"] = dst
    elif dst is not None:
        props["destinationAddressPrefix"] = dst
    if isinstance(ports, list):
        props["destinationPortRanges"] = ports
    else:
        props["destinationPortRange"] = ports
    props.update(extra)
    return {"name": name, "properties": props}


DEFAULTS = [
    rule("AllowVnetInBound", 65000, "Inbound", "Allow", "*", "VirtualNetwork", "VirtualNetwork",
         description="Allow inbound traffic from all VMs in VNET"),
    rule("AllowAzureLoadBalancerInBound", 65001, "Inbound", "Allow", "*", "AzureLoadBalancer", "*",
         description="Allow inbound traffic from azure load balancer"),
    rule("DenyAllInBound", 65500, "Inbound", "Deny", "*", description="Deny all inbound traffic"),
    rule("AllowVnetOutBound", 65000, "Outbound", "Allow", "*", "VirtualNetwork", "VirtualNetwork",
         description="Allow outbound traffic from all VMs to all VMs in VNET"),
    rule("AllowInternetOutBound", 65001, "Outbound", "Allow", "*", "*", "Internet",
         description="Allow outbound traffic from all VMs to Internet"),
    rule("DenyAllOutBound", 65500, "Outbound", "Deny", "*", description="Deny all outbound traffic"),
]


def nsg(name, rules, with_defaults, rg="rg-net"):
    props = {"securityRules": rules}
    if with_defaults:
        props["defaultSecurityRules"] = DEFAULTS
    return {"id": rid(rg, NSG, name), "name": name, "type": NSG, "location": "westeurope", "properties": props}


def ref(rg, kind, *names):
    return {"id": rid(rg, kind, *names)}


def nic(name, address, vnet, subnet, public_ip=None, asgs=(), nsg_name=None, vm=None, tags=None):
    config = {"privateIPAddress": address, "privateIPAllocationMethod": "Static",
              "subnet": ref("rg-net", SUBNET, vnet, subnet)}
    if public_ip:
        config["publicIPAddress"] = ref("RG-NET", PIP, public_ip)  # case differs on purpose
    if asgs:
        config["applicationSecurityGroups"] = [ref("rg-net", ASG, a) for a in asgs]
    props = {"ipConfigurations": [{"name": "ipconfig1", "properties": config}]}
    if nsg_name:
        props["networkSecurityGroup"] = ref("rg-net", NSG, nsg_name)
    if vm:
        props["virtualMachine"] = ref("rg-vms", VM, vm)
    resource = {"id": rid("rg-net", NIC, name), "name": name, "type": NIC, "properties": props}
    if tags:
        resource["tags"] = tags
    return resource


def vnet(name, space, subnets, peer=None, peering_state="Connected"):
    props = {
        "addressSpace": {"addressPrefixes": space},
        "subnets": [
            {"id": rid("rg-net", SUBNET, name, s), "name": s,
             "properties": dict({"addressPrefix": p}, **({"networkSecurityGroup": ref("rg-net", NSG, g)} if g else {}))}
            for s, p, g in subnets
        ],
        "virtualNetworkPeerings": [],
    }
    if peer:
        props["virtualNetworkPeerings"].append({
            "name": f"{name}-to-{peer}",
            "properties": {"remoteVirtualNetwork": ref("rg-net", VNET, peer), "peeringState": peering_state}})
    return {"id": rid("rg-net", VNET, name), "name": name, "type": VNET, "properties": props}


def hub_and_spoke():
    resources = [
        vnet("vnet-hub", ["10.0.0.0/16"], [("snet-jump", "10.0.1.0/24", "nsg-jump"), ("snet-web", "10.0.2.0/24", "nsg-web")],
             peer="vnet-spoke"),
        vnet("vnet-spoke", ["10.1.0.0/16"], [("snet-data", "10.1.1.0/24", "nsg-data"), ("snet-app", "10.1.2.0/24", None)],
             peer="vnet-hub"),
        vnet("vnet-isolated", ["10.2.0.0/16"], [("snet-legacy", "10.2.1.0/24", "nsg-legacy")]),
        nsg("nsg-jump", [
            rule("AllowSSHFromInternet", 100, "Inbound", "Allow", "Tcp", "0.0.0.0/0", "*", "22",
                 "Bastion SSH for the operations team"),
            rule("AllowRDPFromOffice", 110, "Inbound", "Allow", "Tcp", "203.0.113.0/24", "10.0.1.4", "3389",
                 "Office RDP"),
        ], with_defaults=True),
        nsg("nsg-web", [
            rule("AllowWebFromInternet", 100, "Inbound", "Allow", "Tcp", "Internet", "*", ["80", "443"], "Public website"),
            rule("AllowSSHFromInternet", 110, "Inbound", "Allow", "Tcp", "*", "*", "22"),
            rule("AllowAltHTTPToPublicIP", 120, "Inbound", "Allow", "Tcp", "*", "20.50.1.20", "8080",
                 "Meant for the public IP; never matches"),
            rule("AllowSSHFromJump", 200, "Inbound", "Allow", "Tcp", "10.0.1.0/24", "*", "22", "Jump host"),
        ], with_defaults=False, rg="RG-NET"),
        nsg("nsg-web-nic", [
            rule("DenySSHFromInternet", 100, "Inbound", "Deny", "Tcp", "Internet", "*", "22", "No SSH from outside"),
            rule("AllowHTTPSFromInternet", 110, "Inbound", "Allow", "Tcp", "Internet", "*", "443", "Public website"),
        ], with_defaults=False),
        nsg("nsg-data", [
            rule("AllowSQLFromApp", 100, "Inbound", "Allow", "Tcp", None, None, "1433", "App tier to database",
                 sourceApplicationSecurityGroups=[ref("rg-net", ASG, "asg-app")],
                 destinationApplicationSecurityGroups=[ref("rg-net", ASG, "asg-db")]),
            rule("AllowSSHFromHub", 110, "Inbound", "Allow", "Tcp", "10.0.0.0/16", "*", "22"),
            rule("DenySSHFromWeb", 120, "Inbound", "Deny", "Tcp", "10.0.2.0/24", "*", "22", "Shadowed by 110"),
            rule("DenyVnetInBound", 4000, "Inbound", "Deny", "*", "VirtualNetwork", "VirtualNetwork", "*",
                 "Only what is listed above"),
        ], with_defaults=True),
        nsg("nsg-legacy", [
            rule("AllowTelnetFromVnet", 100, "Inbound", "Allow", "Tcp", "VirtualNetwork", "*", "23", "Legacy console"),
        ], with_defaults=False),
        {"id": rid("rg-net", PIP, "pip-jump"), "name": "pip-jump", "type": PIP,
         "properties": {"ipAddress": "20.50.1.10", "publicIPAllocationMethod": "Static"}},
        {"id": rid("rg-net", PIP, "pip-web1"), "name": "pip-web1", "type": PIP,
         "properties": {"ipAddress": "20.50.1.20", "publicIPAllocationMethod": "Static"}},
        {"id": rid("rg-net", ASG, "asg-app"), "name": "asg-app", "type": ASG, "properties": {}},
        {"id": rid("rg-net", ASG, "asg-db"), "name": "asg-db", "type": ASG, "properties": {}},
        nic("nic-jump", "10.0.1.4", "vnet-hub", "snet-jump", public_ip="pip-jump", vm="vm-jump"),
        nic("nic-web1", "10.0.2.4", "vnet-hub", "snet-web", public_ip="pip-web1", nsg_name="nsg-web-nic", vm="vm-web1"),
        nic("nic-app1", "10.1.2.4", "vnet-spoke", "snet-app", asgs=["asg-app"], vm="vm-app1"),
        nic("nic-db1", "10.1.1.4", "vnet-spoke", "snet-data", asgs=["asg-db"], vm="vm-db1"),
        nic("nic-legacy", "10.2.1.4", "vnet-isolated", "snet-legacy", vm="vm-legacy"),
    ]
    for name, nic_name, tags in [("vm-jump", "nic-jump", {"role": "bastion"}), ("vm-web1", "nic-web1", {"role": "web"}),
                                 ("vm-app1", "nic-app1", {"role": "app"}),
                                 ("vm-db1", "nic-db1", {"role": "database", "tier": "crown-jewel"}),
                                 ("vm-legacy", "nic-legacy", {"role": "mainframe-gateway", "tier": "crown-jewel"})]:
        resources.append({
            "id": rid("rg-vms", VM, name), "name": name, "type": VM, "tags": tags,
            "properties": {"networkProfile": {"networkInterfaces": [ref("rg-net", NIC, nic_name)]}}})
    return resources


FLOWS = """source,destination,protocol,port
198.51.100.7,20.50.1.10,tcp,22
198.51.100.7,20.50.1.20,tcp,22
198.51.100.7,20.50.1.20,tcp,443
198.51.100.7,20.50.1.20,tcp,80
198.51.100.7,20.50.1.20,tcp,8080
198.51.100.7,10.0.1.4,tcp,22
10.1.2.4,10.1.1.4,tcp,1433
10.0.2.4,10.1.1.4,tcp,1433
10.0.1.4,10.1.1.4,tcp,22
10.0.2.4,10.1.1.4,tcp,22
10.0.1.4,10.2.1.4,tcp,23
10.1.1.4,8.8.8.8,udp,53
10.0.1.4,10.0.2.4,icmp,
"""


def arm_template():
    """An ARM template: parameters, variables, resourceId(), concat(), child security rules."""
    return {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {
            "vnetName": {"type": "string", "defaultValue": "vnet-app"},
            "adminSourcePrefix": {"type": "string", "defaultValue": "198.51.100.0/24"},
        },
        "variables": {
            "webSubnetName": "snet-web",
            "webNsgName": "[concat(parameters('vnetName'), '-web-nsg')]",
            "webSubnetId": "[resourceId('Microsoft.Network/virtualNetworks/subnets', parameters('vnetName'), variables('webSubnetName'))]",
        },
        "resources": [
            {
                "type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2023-04-01",
                "name": "[variables('webNsgName')]", "location": "westeurope",
                "properties": {"securityRules": [
                    {"name": "AllowHTTPS", "properties": {
                        "priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
                        "sourceAddressPrefix": "Internet", "sourcePortRange": "*",
                        "destinationAddressPrefix": "*", "destinationPortRange": "443",
                        "description": "Public website"}},
                ]},
                "resources": [
                    {"type": "securityRules", "apiVersion": "2023-04-01", "name": "AllowSSHFromAdmins",
                     "dependsOn": ["[variables('webNsgName')]"],
                     "properties": {
                         "priority": 110, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
                         "sourceAddressPrefix": "[parameters('adminSourcePrefix')]", "sourcePortRange": "*",
                         "destinationAddressPrefix": "*", "destinationPortRanges": ["22", "3389"],
                         "description": ""}},
                ],
            },
            {
                "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-04-01",
                "name": "[parameters('vnetName')]", "location": "westeurope",
                "properties": {
                    "addressSpace": {"addressPrefixes": ["10.20.0.0/16"]},
                    "subnets": [{"name": "[variables('webSubnetName')]", "properties": {
                        "addressPrefix": "10.20.1.0/24",
                        "networkSecurityGroup": {"id": "[resourceId('Microsoft.Network/networkSecurityGroups', variables('webNsgName'))]"}}}],
                },
            },
            {
                "type": "Microsoft.Network/publicIPAddresses", "apiVersion": "2023-04-01", "name": "pip-web",
                "properties": {"publicIPAllocationMethod": "Static"},
            },
            {
                "type": "Microsoft.Network/networkInterfaces", "apiVersion": "2023-04-01", "name": "nic-web",
                "properties": {"ipConfigurations": [{"name": "ipconfig1", "properties": {
                    "privateIPAddress": "10.20.1.4", "privateIPAllocationMethod": "Static",
                    "subnet": {"id": "[variables('webSubnetId')]"},
                    "publicIPAddress": {"id": "[resourceId('Microsoft.Network/publicIPAddresses', 'pip-web')]"}}}]},
            },
            {
                "type": "Microsoft.Compute/virtualMachines", "apiVersion": "2023-03-01", "name": "vm-web",
                "tags": {"tier": "frontend"},
                "properties": {"networkProfile": {"networkInterfaces": [
                    {"id": "[resourceId('Microsoft.Network/networkInterfaces', 'nic-web')]"}]}},
            },
        ],
    }


YAML = """# An office network that is not in Azure, in Exposure's own YAML topology format.
# Segments are routing domains; peers route to each other (declared once, both ways).
segments:
  - name: office
    addressSpace: [192.168.0.0/16]
    peers: [datacenter]
    subnets:
      - name: staff
        prefix: 192.168.10.0/24
        ruleSet: staff-edge
      - name: dmz
        prefix: 192.168.99.0/24
        ruleSet: dmz-edge
  - name: datacenter
    addressSpace: [172.16.0.0/16]
    subnets:
      - name: servers
        prefix: 172.16.1.0/24
        ruleSet: servers-edge
  - name: lab
    addressSpace: [10.99.0.0/16]
    subnets:
      - name: bench
        prefix: 10.99.1.0/24

groups: [file-servers, admins]

publicIPs:
  - name: vpn-gateway-ip
    address: 203.0.113.50

hosts:
  - name: vpn-gateway
    segment: office
    subnet: dmz
    address: 192.168.99.10
    publicIP: vpn-gateway-ip
    tags: {role: vpn}
  - name: admin-laptop
    segment: office
    subnet: staff
    address: 192.168.10.20
    groups: [admins]
  - name: file-server
    segment: datacenter
    subnet: servers
    address: 172.16.1.10
    groups: [file-servers]
    tags: {tier: crown-jewel, owner: it-ops}
  - name: build-box
    segment: lab
    subnet: bench
    address: 10.99.1.5
    tags: {tier: crown-jewel}

ruleSets:
  - name: dmz-edge
    rules:
      - name: vpn-in
        priority: 100
        direction: inbound
        access: allow
        protocol: udp
        source: internet
        destination: 192.168.99.10
        ports: [500, 4500]
        justification: IPsec VPN for remote staff
      - name: ssh-from-anywhere
        priority: 200
        direction: inbound
        access: allow
        protocol: tcp
        source: "*"
        destination: "*"
        ports: 22
  - name: staff-edge
    rules:
      - name: from-vpn
        priority: 100
        direction: inbound
        access: allow
        protocol: any
        source: 192.168.99.0/24
        destination: "*"
        ports: "*"
        justification: Remote staff land in the staff subnet
  - name: servers-edge
    rules:
      - name: smb-from-admins
        priority: 100
        direction: inbound
        access: allow
        protocol: tcp
        source: group:admins
        destination: group:file-servers
        ports: 445
      - name: deny-rest-of-office
        priority: 300
        direction: inbound
        access: deny
        protocol: any
        source: 192.168.0.0/16
        destination: "*"
        ports: "*"

justifications:
  servers-edge/smb-from-admins: Admins manage the file share
"""

YAML_FLOWS = """source,destination,protocol,port
198.51.100.9,203.0.113.50,udp,4500
198.51.100.9,203.0.113.50,tcp,22
192.168.99.10,192.168.10.20,tcp,3389
192.168.10.20,172.16.1.10,tcp,445
192.168.99.10,172.16.1.10,tcp,445
192.168.10.20,10.99.1.5,tcp,22
"""


def write(name, text):
    wanted = sys.argv[1:]
    if wanted and name not in wanted and os.path.basename(name) not in wanted:
        return
    with open(os.path.join(HERE, name), "w") as f:
        f.write(text)


def main():
    write("azure-hub-and-spoke.json", json.dumps(hub_and_spoke(), indent=2) + "\n")
    write("arm-template-web-tier.json", json.dumps(arm_template(), indent=2) + "\n")
    write("yaml-office-and-datacenter.yaml", YAML)
    write("flows/azure-hub-and-spoke.csv", FLOWS)
    write("flows/yaml-office-and-datacenter.csv", YAML_FLOWS)


if __name__ == "__main__":
    main()
