#!/usr/bin/env python3
"""Writes azure-dual-stack-ssh-open-over-ipv6.json: a dual-stack VNet (an IPv4 and an IPv6 address
space, a subnet with one prefix of each, a VM NIC with an IPv4 and an IPv6 IP configuration, each
with its own Standard public IP) in the shape `az resource list --expand properties` returns, the
shape of Azure's quickstart `ipv6-in-vnet` (written here from scratch). The NSG lets HTTPS in from
anyone and SSH in from `::/0` only: SSH is open to the internet over IPv6 and closed over IPv4,
which an IPv4-only reading would miss. Topologies/README.md works the findings out by hand.

Run from anywhere: `python3 Topologies/make-dual-stack-sample.py`.
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
SUB = "/subscriptions/6f1c2d3e-5a4b-4c3d-8e2f-0a1b2c3d4e5f"
RG = "rg-dual-stack"


def rid(kind, name, *child):
    text = f"{SUB}/resourceGroups/{RG}/providers/{kind}/{name}"
    for i in range(0, len(child), 2):
        text += f"/{child[i]}/{child[i + 1]}"
    return text


def ref(i):
    return {"id": i}


def resource(kind, name, props, **extra):
    body = {"id": rid(kind, name), "name": name, "type": kind, "location": "westeurope", "resourceGroup": RG,
            "tags": {}}
    body.update(extra)
    body["properties"] = dict({"provisioningState": "Succeeded"}, **props)
    return body


def main():
    vnet = rid("Microsoft.Network/virtualNetworks", "dual-vnet")
    subnet = f"{vnet}/subnets/web"
    nsg = rid("Microsoft.Network/networkSecurityGroups", "web-nsg")
    nic = rid("Microsoft.Network/networkInterfaces", "web-vm-nic")
    vm = rid("Microsoft.Compute/virtualMachines", "web-vm")
    pip4 = rid("Microsoft.Network/publicIPAddresses", "web-vm-pip-v4")
    pip6 = rid("Microsoft.Network/publicIPAddresses", "web-vm-pip-v6")

    def rule(name, priority, source, port, description):
        return {"name": name, "id": f"{nsg}/securityRules/{name}",
                "type": "Microsoft.Network/networkSecurityGroups/securityRules",
                "properties": {"provisioningState": "Succeeded", "priority": priority, "access": "Allow",
                               "direction": "Inbound", "protocol": "Tcp", "sourceAddressPrefix": source,
                               "sourcePortRange": "*", "destinationAddressPrefix": "*",
                               "destinationPortRange": port, "description": description}}

    def config(name, address, version, pip):
        return {"name": name, "id": f"{nic}/ipConfigurations/{name}",
                "properties": {"provisioningState": "Succeeded", "privateIPAddress": address,
                               "privateIPAllocationMethod": "Static", "privateIPAddressVersion": version,
                               "subnet": ref(subnet), "primary": version == "IPv4", "publicIPAddress": ref(pip)}}

    def public_ip(name, address, version, config_name):
        return resource("Microsoft.Network/publicIPAddresses", name,
                        {"ipAddress": address, "publicIPAllocationMethod": "Static",
                         "publicIPAddressVersion": version,
                         "ipConfiguration": ref(f"{nic}/ipConfigurations/{config_name}")},
                        sku={"name": "Standard"})

    resources = [
        resource("Microsoft.Network/virtualNetworks", "dual-vnet", {
            "addressSpace": {"addressPrefixes": ["10.60.0.0/16", "fd00:db8:60::/48"]},
            "subnets": [{"name": "web", "id": subnet, "type": "Microsoft.Network/virtualNetworks/subnets",
                         "properties": {"provisioningState": "Succeeded",
                                        "addressPrefixes": ["10.60.1.0/24", "fd00:db8:60:1::/64"],
                                        "networkSecurityGroup": ref(nsg)}}],
            "virtualNetworkPeerings": []}),
        resource("Microsoft.Network/networkSecurityGroups", "web-nsg", {"securityRules": [
            rule("AllowHTTPS", 100, "*", "443", "The public web site, over IPv4 and IPv6"),
            rule("AllowSSHv6", 110, "::/0", "22", "Administration over IPv6 (meant for the office prefix)"),
        ]}),
        resource("Microsoft.Network/networkInterfaces", "web-vm-nic", {
            "ipConfigurations": [config("ipconfig-v4", "10.60.1.4", "IPv4", pip4),
                                 config("ipconfig-v6", "fd00:db8:60:1::4", "IPv6", pip6)],
            "virtualMachine": ref(vm)}),
        public_ip("web-vm-pip-v4", "203.0.113.60", "IPv4", "ipconfig-v4"),
        public_ip("web-vm-pip-v6", "2001:db8:ff60::4", "IPv6", "ipconfig-v6"),
        resource("Microsoft.Compute/virtualMachines", "web-vm", {
            "hardwareProfile": {"vmSize": "Standard_B2s"},
            "networkProfile": {"networkInterfaces": [ref(nic)]}}),
    ]
    path = os.path.join(HERE, "azure-dual-stack-ssh-open-over-ipv6.json")
    with open(path, "w") as f:
        json.dump(resources, f, indent=2)
        f.write("\n")
    print(path)


if __name__ == "__main__":
    main()
