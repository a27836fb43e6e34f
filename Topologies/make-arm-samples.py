#!/usr/bin/env python3
"""Writes the ARM template and SDK export samples in this folder. Run from anywhere:
`python3 Topologies/make-arm-samples.py`.

- arm-linux-vm-ssh-open-dynamic-address.json: the shape of Azure's "simple Linux VM" quickstart
  template (names built with format() and uniqueString(), parameters without defaults, a NIC with a
  Dynamic private address, an NSG on the NIC allowing SSH from anywhere, the subnet as its own
  resource). Deployed as Azure would, the NIC holds 10.1.0.4 and SSH is open to the internet.
- azure-sdk-js-nics-without-subnets.json: what the Azure SDK for JavaScript returns from
  `networkInterfaces.listAll()`, `networkSecurityGroups.listAll()` and `publicIPAddresses.listAll()`
  (properties flattened into camelCase objects), written to one file. The NICs' subnets and VNet
  are not in the export; each NIC's own NSG allows one database or management port from anywhere.

Topologies/README.md works out the findings of each by hand.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def write(name, document):
    """Writes one sample; with names on the command line, only those (the rest are made, not written)."""
    if sys.argv[1:] and name not in sys.argv[1:]:
        return
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(document, f, indent=2)
        f.write("\n")


def arm_linux_vm():
    nsg_id = "[resourceId('Microsoft.Network/networkSecurityGroups', parameters('networkSecurityGroupName'))]"
    subnet_id = ("[resourceId('Microsoft.Network/virtualNetworks/subnets', parameters('virtualNetworkName'), "
                 "parameters('subnetName'))]")
    pip_id = "[resourceId('Microsoft.Network/publicIPAddresses', variables('publicIPAddressName'))]"
    nic_id = "[resourceId('Microsoft.Network/networkInterfaces', variables('networkInterfaceName'))]"
    return {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {
            "vmName": {"type": "string", "defaultValue": "web-vm"},
            "adminUsername": {"type": "string"},
            "adminPublicKey": {"type": "secureString"},
            "dnsLabelPrefix": {"type": "string",
                               "defaultValue": "[toLower(format('web-vm-{0}', uniqueString(resourceGroup().id)))]"},
            "location": {"type": "string", "defaultValue": "[resourceGroup().location]"},
            "virtualNetworkName": {"type": "string", "defaultValue": "web-vnet"},
            "subnetName": {"type": "string", "defaultValue": "web-subnet"},
            "networkSecurityGroupName": {"type": "string", "defaultValue": "web-nsg"},
        },
        "variables": {
            "publicIPAddressName": "[format('{0}-pip', parameters('vmName'))]",
            "networkInterfaceName": "[format('{0}-nic', parameters('vmName'))]",
            "addressPrefix": "10.1.0.0/16",
            "subnetAddressPrefix": "10.1.0.0/24",
        },
        "resources": [
            {
                "type": "Microsoft.Network/networkInterfaces", "apiVersion": "2023-04-01",
                "name": "[variables('networkInterfaceName')]", "location": "[parameters('location')]",
                "properties": {
                    "ipConfigurations": [{"name": "ipconfig1", "properties": {
                        "subnet": {"id": subnet_id},
                        "privateIPAllocationMethod": "Dynamic",
                        "publicIPAddress": {"id": pip_id}}}],
                    "networkSecurityGroup": {"id": nsg_id},
                },
                "dependsOn": [nsg_id, pip_id, subnet_id],
            },
            {
                "type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2023-04-01",
                "name": "[parameters('networkSecurityGroupName')]", "location": "[parameters('location')]",
                "properties": {"securityRules": [{"name": "SSH", "properties": {
                    "priority": 1000, "protocol": "Tcp", "access": "Allow", "direction": "Inbound",
                    "sourceAddressPrefix": "*", "sourcePortRange": "*",
                    "destinationAddressPrefix": "*", "destinationPortRange": "22"}}]},
            },
            {
                "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-04-01",
                "name": "[parameters('virtualNetworkName')]", "location": "[parameters('location')]",
                "properties": {"addressSpace": {"addressPrefixes": ["[variables('addressPrefix')]"]}},
            },
            {
                "type": "Microsoft.Network/virtualNetworks/subnets", "apiVersion": "2023-04-01",
                "name": "[format('{0}/{1}', parameters('virtualNetworkName'), parameters('subnetName'))]",
                "properties": {"addressPrefix": "[variables('subnetAddressPrefix')]"},
                "dependsOn": ["[resourceId('Microsoft.Network/virtualNetworks', parameters('virtualNetworkName'))]"],
            },
            {
                "type": "Microsoft.Network/publicIPAddresses", "apiVersion": "2023-04-01",
                "name": "[variables('publicIPAddressName')]", "location": "[parameters('location')]",
                "sku": {"name": "Basic"},
                "properties": {"publicIPAllocationMethod": "Dynamic",
                               "dnsSettings": {"domainNameLabel": "[parameters('dnsLabelPrefix')]"}},
            },
            {
                "type": "Microsoft.Compute/virtualMachines", "apiVersion": "2023-03-01",
                "name": "[parameters('vmName')]", "location": "[parameters('location')]",
                "properties": {
                    "hardwareProfile": {"vmSize": "Standard_B2s"},
                    "networkProfile": {"networkInterfaces": [{"id": nic_id}]},
                    "osProfile": {"computerName": "[parameters('vmName')]",
                                  "adminUsername": "[parameters('adminUsername')]",
                                  "linuxConfiguration": {"disablePasswordAuthentication": True, "ssh": {"publicKeys": [
                                      {"path": "[format('/home/{0}/.ssh/authorized_keys', parameters('adminUsername'))]",
                                       "keyData": "[parameters('adminPublicKey')]"}]}}},
                },
                "dependsOn": [nic_id],
            },
        ],
    }


def sdk_js_export():
    sub = "/subscriptions/3b8e6c1a-2f4d-4e5a-9b7c-1d2e3f4a5b6c/resourceGroups/rg-data/providers/Microsoft.Network"
    subnet = "/subscriptions/3b8e6c1a-2f4d-4e5a-9b7c-1d2e3f4a5b6c/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/core-vnet/subnets/data"
    hosts = [("mongo-1", "10.20.3.4", "52.168.10.21", "AllowMongo", "27017"),
             ("mysql-1", "10.20.3.5", "52.168.10.22", "AllowMySQL", "3306"),
             ("ops-1", "10.20.3.6", "52.168.10.23", "AllowSSH", "22")]
    resources = []
    for name, private, public, rule, port in hosts:
        resources.append({
            "id": f"{sub}/networkSecurityGroups/{name}-nsg", "name": f"{name}-nsg",
            "type": "Microsoft.Network/networkSecurityGroups", "location": "eastus",
            "provisioningState": "Succeeded",
            "securityRules": [{
                "id": f"{sub}/networkSecurityGroups/{name}-nsg/securityRules/{rule}", "name": rule,
                "protocol": "Tcp", "sourcePortRange": "*", "destinationPortRange": port,
                "sourceAddressPrefix": "*", "destinationAddressPrefix": "*", "access": "Allow",
                "priority": 100, "direction": "Inbound", "provisioningState": "Succeeded"}],
            "networkInterfaces": [{"id": f"{sub}/networkInterfaces/{name}-nic"}],
        })
        resources.append({
            "id": f"{sub}/publicIPAddresses/{name}-pip", "name": f"{name}-pip",
            "type": "Microsoft.Network/publicIPAddresses", "location": "eastus",
            "sku": {"name": "Standard", "tier": "Regional"},
            "publicIPAllocationMethod": "Static", "publicIPAddressVersion": "IPv4", "ipAddress": public,
            "ipConfiguration": {"id": f"{sub}/networkInterfaces/{name}-nic/ipConfigurations/ipconfig1"},
        })
        resources.append({
            "id": f"{sub}/networkInterfaces/{name}-nic", "name": f"{name}-nic",
            "type": "Microsoft.Network/networkInterfaces", "location": "eastus",
            "ipConfigurations": [{
                "id": f"{sub}/networkInterfaces/{name}-nic/ipConfigurations/ipconfig1", "name": "ipconfig1",
                "privateIPAddress": private, "privateIPAllocationMethod": "Dynamic",
                "privateIPAddressVersion": "IPv4", "primary": True,
                "subnet": {"id": subnet},
                "publicIPAddress": {"id": f"{sub}/publicIPAddresses/{name}-pip"}}],
            "networkSecurityGroup": {"id": f"{sub}/networkSecurityGroups/{name}-nsg"},
            "macAddress": "00-0D-3A-00-00-0" + str(len(resources)),
            "enableAcceleratedNetworking": False, "primary": True,
        })
    return resources


write("arm-linux-vm-ssh-open-dynamic-address.json", arm_linux_vm())
write("azure-sdk-js-nics-without-subnets.json", sdk_js_export())
