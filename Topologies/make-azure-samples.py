#!/usr/bin/env python3
"""Writes the Azure sample exports in this folder, in the shape `az graph query` / `az resource list
--expand properties` return: a JSON array of resources with id, name, type, location, tags and
properties. Run from anywhere: `python3 Topologies/make-azure-samples.py`.

Each sample is built to show particular findings; Topologies/README.md works them out by hand.
"""
import sys

sys.dont_write_bytecode = True
from azure_ids import ids, ref, write  # noqa: E402  (Topologies/azure_ids.py)

SUB = "/subscriptions/6f1c2d3e-5a4b-4c3d-8e2f-0a1b2c3d4e5f"
rid = ids(SUB)


def rule(nsg_id, name, priority, access, protocol, src, dst, port, description=None, direction="Inbound",
         src_asgs=None, dst_asgs=None):
    props = {
        "provisioningState": "Succeeded",
        "priority": priority,
        "access": access,
        "direction": direction,
        "protocol": protocol,
        "sourcePortRange": "*",
    }
    if description:
        props["description"] = description
    if src_asgs:
        props["sourceApplicationSecurityGroups"] = [ref(a) for a in src_asgs]
    elif isinstance(src, list):
        props["sourceAddressPrefixes"] = src
    else:
        props["sourceAddressPrefix"] = src
    if dst_asgs:
        props["destinationApplicationSecurityGroups"] = [ref(a) for a in dst_asgs]
    elif isinstance(dst, list):
        props["destinationAddressPrefixes"] = dst
    else:
        props["destinationAddressPrefix"] = dst
    if isinstance(port, list):
        props["destinationPortRanges"] = port
    else:
        props["destinationPortRange"] = port
    return {"name": name, "id": f"{nsg_id}/securityRules/{name}", "type": "Microsoft.Network/networkSecurityGroups/securityRules",
            "properties": props}


def nsg(rg, name, rules, location="westeurope"):
    i = rid(rg, "Microsoft.Network/networkSecurityGroups", name)
    return {"id": i, "name": name, "type": "Microsoft.Network/networkSecurityGroups", "location": location,
            "resourceGroup": rg, "tags": {},
            "properties": {"provisioningState": "Succeeded", "securityRules": [r(i) for r in rules]}}


def vnet(rg, name, prefixes, subnets, peerings=(), location="westeurope"):
    """Subnets are (name, prefix, nsg id) or (name, prefix, nsg id, route table id); peerings are
    (name, remote id) or (name, remote id, {flag: value}) to set the peering flags."""
    i = rid(rg, "Microsoft.Network/virtualNetworks", name)
    subs = []
    for sname, sprefix, snsg, *rest in subnets:
        sp = {"provisioningState": "Succeeded", "addressPrefix": sprefix}
        if snsg:
            sp["networkSecurityGroup"] = ref(snsg)
        if rest and rest[0]:
            sp["routeTable"] = ref(rest[0])
        subs.append({"name": sname, "id": f"{i}/subnets/{sname}",
                     "type": "Microsoft.Network/virtualNetworks/subnets", "properties": sp})
    peers = []
    for pname, remote, *rest in peerings:
        props = {"peeringState": "Connected", "remoteVirtualNetwork": ref(remote),
                 "allowVirtualNetworkAccess": True, "allowForwardedTraffic": False,
                 "allowGatewayTransit": False, "useRemoteGateways": False}
        if rest:
            props.update(rest[0])
        peers.append({"name": pname, "id": f"{i}/virtualNetworkPeerings/{pname}", "properties": props})
    return {"id": i, "name": name, "type": "Microsoft.Network/virtualNetworks", "location": location,
            "resourceGroup": rg, "tags": {},
            "properties": {"provisioningState": "Succeeded", "addressSpace": {"addressPrefixes": prefixes},
                           "subnets": subs, "virtualNetworkPeerings": peers}}


def nic(rg, name, ip, subnet_id, pip=None, nsg_id=None, asgs=(), vm=None, location="westeurope"):
    i = rid(rg, "Microsoft.Network/networkInterfaces", name)
    ipc = {"provisioningState": "Succeeded", "privateIPAddress": ip, "privateIPAllocationMethod": "Static",
           "subnet": ref(subnet_id), "primary": True}
    if pip:
        ipc["publicIPAddress"] = ref(pip)
    if asgs:
        ipc["applicationSecurityGroups"] = [ref(a) for a in asgs]
    props = {"provisioningState": "Succeeded",
             "ipConfigurations": [{"name": "ipconfig1", "id": f"{i}/ipConfigurations/ipconfig1", "properties": ipc}],
             "enableAcceleratedNetworking": False}
    if nsg_id:
        props["networkSecurityGroup"] = ref(nsg_id)
    if vm:
        props["virtualMachine"] = ref(vm)
    return {"id": i, "name": name, "type": "Microsoft.Network/networkInterfaces", "location": location,
            "resourceGroup": rg, "tags": {}, "properties": props}


def public_ip(rg, name, address, nic_id, location="westeurope", sku="Standard"):
    i = rid(rg, "Microsoft.Network/publicIPAddresses", name)
    return {"id": i, "name": name, "type": "Microsoft.Network/publicIPAddresses", "location": location,
            "resourceGroup": rg, "sku": {"name": sku}, "tags": {},
            "properties": {"provisioningState": "Succeeded", "ipAddress": address,
                           "publicIPAllocationMethod": "Static", "publicIPAddressVersion": "IPv4",
                           "ipConfiguration": ref(f"{nic_id}/ipConfigurations/ipconfig1")}}


def vm(rg, name, nic_id, tags=None, location="westeurope"):
    i = rid(rg, "Microsoft.Compute/virtualMachines", name)
    return {"id": i, "name": name, "type": "Microsoft.Compute/virtualMachines", "location": location,
            "resourceGroup": rg, "tags": tags or {},
            "properties": {"provisioningState": "Succeeded", "hardwareProfile": {"vmSize": "Standard_B2s"},
                           "networkProfile": {"networkInterfaces": [ref(nic_id)]}}}


def asg(rg, name, location="westeurope"):
    return {"id": rid(rg, "Microsoft.Network/applicationSecurityGroups", name), "name": name,
            "type": "Microsoft.Network/applicationSecurityGroups", "location": location, "resourceGroup": rg,
            "tags": {}, "properties": {"provisioningState": "Succeeded"}}


def hub_and_spoke():
    """A hub VNet with a jump box and a shared-services subnet, peered with a production spoke and a
    development spoke (which are not peered with each other)."""
    hub = rid("rg-hub", "Microsoft.Network/virtualNetworks", "hub-vnet")
    prod = rid("rg-prod", "Microsoft.Network/virtualNetworks", "spoke-prod-vnet")
    dev = rid("rg-dev", "Microsoft.Network/virtualNetworks", "spoke-dev-vnet")
    # Real exports are not consistent about resource-group case: some references say RG-HUB.
    jump_nsg = rid("RG-HUB", "Microsoft.Network/networkSecurityGroups", "jump-nsg")
    app_nsg = rid("rg-prod", "Microsoft.Network/networkSecurityGroups", "prod-app-nsg")
    data_nsg = rid("rg-prod", "Microsoft.Network/networkSecurityGroups", "prod-data-nsg")
    dev_nsg = rid("rg-dev", "Microsoft.Network/networkSecurityGroups", "dev-nsg")
    resources = [
        vnet("rg-hub", "hub-vnet", ["10.0.0.0/16"], [
            ("jump-subnet", "10.0.1.0/24", jump_nsg),
            ("shared-subnet", "10.0.2.0/24", None),
            ("GatewaySubnet", "10.0.255.0/27", None),
        ], [("hub-to-prod", prod), ("hub-to-dev", dev)]),
        vnet("rg-prod", "spoke-prod-vnet", ["10.1.0.0/16"], [
            ("app-subnet", "10.1.1.0/24", app_nsg),
            ("data-subnet", "10.1.2.0/24", data_nsg),
        ], [("prod-to-hub", hub)]),
        vnet("rg-dev", "spoke-dev-vnet", ["10.2.0.0/16"], [
            ("dev-subnet", "10.2.1.0/24", dev_nsg),
        ], [("dev-to-hub", hub)]),
        nsg("rg-hub", "jump-nsg", [
            lambda n: rule(n, "AllowSshFromOffice", 100, "Allow", "Tcp", "203.0.113.0/24", "*", "22",
                           "Operators reach the jump box from the office range"),
            lambda n: rule(n, "AllowRdpFromAnywhere", 110, "Allow", "Tcp", "0.0.0.0/0", "*", "3389"),
            lambda n: rule(n, "AllowSshFromOfficeWifi", 120, "Allow", "Tcp", "203.0.113.128/25", "*", "22",
                           "Office Wi-Fi"),
        ]),
        nsg("rg-prod", "prod-app-nsg", [
            lambda n: rule(n, "AllowHttpsFromHub", 100, "Allow", "Tcp", "10.0.0.0/16", "10.1.1.0/24", "443",
                           "Internal API, called from hub services"),
            lambda n: rule(n, "AllowSshFromJumpBox", 110, "Allow", "Tcp", "10.0.1.4", "*", "22",
                           "Administration through the jump box"),
            lambda n: rule(n, "DenyVnetInBound", 4000, "Deny", "*", "VirtualNetwork", "*", "*",
                           "Only the rules above may reach the application tier"),
        ]),
        nsg("rg-prod", "prod-data-nsg", [
            lambda n: rule(n, "AllowSqlFromApp", 100, "Allow", "Tcp", "10.1.1.0/24", "10.1.2.0/24", "1433",
                           "Application tier to its database"),
            lambda n: rule(n, "AllowSshFromJumpBox", 110, "Allow", "Tcp", "10.0.1.4", "*", "22",
                           "Administration through the jump box"),
            lambda n: rule(n, "DenyVnetInBound", 4000, "Deny", "*", "VirtualNetwork", "*", "*",
                           "Only the rules above may reach the data tier"),
        ]),
        nsg("rg-dev", "dev-nsg", [
            lambda n: rule(n, "AllowHttpFromInternet", 100, "Allow", "Tcp", "Internet", "*", "80",
                           "Public preview of the development site"),
            lambda n: rule(n, "AllowTelnetFromHub", 110, "Allow", "Tcp", "10.0.0.0/16", "*", "23"),
            lambda n: rule(n, "AllowPreviewOnPublicIp", 120, "Allow", "Tcp", "Internet", "20.61.15.9", "8080"),
            lambda n: rule(n, "AllowAllFromCorp", 130, "Allow", "*", "10.0.0.0/8", "*", "*"),
        ]),
        nsg("rg-hub", "old-dmz-nsg", [
            lambda n: rule(n, "AllowHttpsInbound", 100, "Allow", "Tcp", "Internet", "*", "443",
                           "Former DMZ web servers"),
        ]),
    ]
    machines = [
        ("rg-hub", "jumpbox01", "10.0.1.4", f"{hub}/subnets/jump-subnet", "20.61.15.4", {"role": "jump-box"}),
        ("rg-hub", "build01", "10.0.2.4", f"{hub}/subnets/shared-subnet", "20.61.15.7", {"role": "ci"}),
        ("rg-prod", "prod-app01", "10.1.1.4", f"{prod}/subnets/app-subnet", None, {"tier": "app"}),
        ("rg-prod", "prod-db01", "10.1.2.4", f"{prod}/subnets/data-subnet", None, {"tier": "crown-jewel"}),
        ("rg-dev", "dev-web01", "10.2.1.4", f"{dev}/subnets/dev-subnet", "20.61.15.9", {"env": "dev"}),
    ]
    for rg, name, ip, subnet, address, tags in machines:
        nic_id = rid(rg, "Microsoft.Network/networkInterfaces", f"{name}-nic")
        vm_id = rid(rg, "Microsoft.Compute/virtualMachines", name)
        pip_id = rid(rg, "Microsoft.Network/publicIPAddresses", f"{name}-pip") if address else None
        resources.append(nic(rg, f"{name}-nic", ip, subnet, pip=pip_id, vm=vm_id))
        if address:
            # build01's public IP is Basic: with no NSG on its path, Basic is open (a Standard one
            # would be closed until an NSG allows something).
            sku = "Basic" if name == "build01" else "Standard"
            resources.append(public_ip(rg, f"{name}-pip", address, nic_id, sku=sku))
        resources.append(vm(rg, name, nic_id, tags))
    return resources


def three_tier():
    """One VNet with web, app and db subnets sharing one NSG whose rules name application security
    groups; the web server's NIC has its own NSG as well."""
    rg = "rg-shop"
    shop = rid(rg, "Microsoft.Network/virtualNetworks", "shop-vnet")
    shop_nsg = rid(rg, "Microsoft.Network/networkSecurityGroups", "shop-nsg")
    web_nic_nsg = rid(rg, "Microsoft.Network/networkSecurityGroups", "shop-web01-nic-nsg")
    asgs = {n: rid(rg, "Microsoft.Network/applicationSecurityGroups", n)
            for n in ["asg-web", "asg-app", "asg-db", "asg-mgmt"]}
    resources = [asg(rg, n) for n in asgs]
    resources += [
        vnet(rg, "shop-vnet", ["10.20.0.0/16"], [
            ("web-subnet", "10.20.1.0/24", shop_nsg),
            ("app-subnet", "10.20.2.0/24", shop_nsg),
            ("db-subnet", "10.20.3.0/24", shop_nsg),
            ("GatewaySubnet", "10.20.255.0/27", None),
        ]),
        nsg(rg, "shop-nsg", [
            lambda n: rule(n, "AllowHttpsToWeb", 100, "Allow", "Tcp", "Internet", None, "443",
                           "Public storefront", dst_asgs=[asgs["asg-web"]]),
            lambda n: rule(n, "AllowSshToWebFromInternet", 110, "Allow", "Tcp", "Internet", None, "22",
                           dst_asgs=[asgs["asg-web"]]),
            lambda n: rule(n, "AllowAppFromWeb", 120, "Allow", "Tcp", None, None, "8443",
                           "Storefront calls the order API", src_asgs=[asgs["asg-web"]], dst_asgs=[asgs["asg-app"]]),
            lambda n: rule(n, "AllowFtpFromWeb", 130, "Allow", "Tcp", None, None, "20-21",
                           src_asgs=[asgs["asg-web"]], dst_asgs=[asgs["asg-app"]]),
            lambda n: rule(n, "AllowSqlFromApp", 140, "Allow", "Tcp", None, None, "1433",
                           "Order API to its database", src_asgs=[asgs["asg-app"]], dst_asgs=[asgs["asg-db"]]),
            lambda n: rule(n, "AllowSshFromMgmt", 150, "Allow", "Tcp", None, "VirtualNetwork", "22",
                           "Administration hosts", src_asgs=[asgs["asg-mgmt"]]),
            lambda n: rule(n, "DenyVnetInBound", 4000, "Deny", "*", "VirtualNetwork", "VirtualNetwork", "*",
                           "Tiers talk only through the rules above"),
            lambda n: rule(n, "AllowSmbFromApp", 4010, "Allow", "Tcp", None, None, "445",
                           "Invoice file drop", src_asgs=[asgs["asg-app"]], dst_asgs=[asgs["asg-db"]]),
        ]),
        nsg(rg, "shop-web01-nic-nsg", [
            lambda n: rule(n, "AllowHttpsInbound", 100, "Allow", "Tcp", "Internet", "*", "443",
                           "Public storefront"),
        ]),
    ]
    machines = [
        ("shop-web01", "10.20.1.4", "web-subnet", "51.140.20.10", web_nic_nsg, ["asg-web"], {"tier": "web"}),
        ("shop-app01", "10.20.2.4", "app-subnet", None, None, ["asg-app"], {"tier": "app"}),
        ("shop-db01", "10.20.3.4", "db-subnet", None, None, ["asg-db"], {"tier": "crown-jewel"}),
    ]
    for name, ip, subnet, address, nic_nsg, groups, tags in machines:
        nic_id = rid(rg, "Microsoft.Network/networkInterfaces", f"{name}-nic")
        vm_id = rid(rg, "Microsoft.Compute/virtualMachines", name)
        pip_id = rid(rg, "Microsoft.Network/publicIPAddresses", f"{name}-pip") if address else None
        resources.append(nic(rg, f"{name}-nic", ip, f"{shop}/subnets/{subnet}", pip=pip_id, nsg_id=nic_nsg,
                             asgs=[asgs[g] for g in groups], vm=vm_id))
        if address:
            # build01's public IP is Basic: with no NSG on its path, Basic is open (a Standard one
            # would be closed until an NSG allows something).
            sku = "Basic" if name == "build01" else "Standard"
            resources.append(public_ip(rg, f"{name}-pip", address, nic_id, sku=sku))
        resources.append(vm(rg, name, nic_id, tags))
    return resources


def route_table(rg, name, routes, location="westeurope"):
    """routes: (name, prefix, next hop type, next hop address or None)."""
    i = rid(rg, "Microsoft.Network/routeTables", name)
    entries = []
    for rname, prefix, hop, address in routes:
        props = {"provisioningState": "Succeeded", "addressPrefix": prefix, "nextHopType": hop}
        if address:
            props["nextHopIpAddress"] = address
        entries.append({"name": rname, "id": f"{i}/routes/{rname}",
                        "type": "Microsoft.Network/routeTables/routes", "properties": props})
    return {"id": i, "name": name, "type": "Microsoft.Network/routeTables", "location": location,
            "resourceGroup": rg, "tags": {},
            "properties": {"provisioningState": "Succeeded", "disableBgpRoutePropagation": True, "routes": entries}}


def hub_firewall_udr_spokes():
    """A hub with an Azure Firewall (policy inheriting from a base policy: DNAT for RDP to a jump
    host, network and application rules), two spokes whose subnets send everything (0.0.0.0/0) to
    the firewall, forced tunnelling from the firewall subnet to the VPN gateway, a None route that
    cuts the web tier off a legacy subnet, and a load-balanced web tier."""
    rg = "rg-connectivity"
    hub = rid(rg, "Microsoft.Network/virtualNetworks", "vnet-hub")
    web = rid("rg-web", "Microsoft.Network/virtualNetworks", "vnet-spoke-web")
    data = rid("rg-data", "Microsoft.Network/virtualNetworks", "vnet-spoke-data")
    fw_ip = "10.0.1.4"
    nsg_mgmt = nsg(rg, "nsg-mgmt", [
        lambda i: rule(i, "AllowRdpFromFirewall", 100, "Allow", "Tcp", "10.0.1.0/26", "*", "3389",
                       "RDP reaches the jump host only through the firewall's DNAT rule"),
    ])
    nsg_web = nsg("rg-web", "nsg-web", [
        lambda i: rule(i, "AllowHttpsFromInternet", 100, "Allow", "Tcp", "Internet", "*", "443",
                       "The shop is public, behind the load balancer"),
    ])
    nsg_data = nsg("rg-data", "nsg-data", [
        lambda i: rule(i, "AllowSqlFromWeb", 100, "Allow", "Tcp", "10.1.1.0/24", "*", "1433",
                       "The web tier reads the orders database"),
        lambda i: rule(i, "AllowSshFromJump", 110, "Allow", "Tcp", "10.0.3.0/24", "*", "22",
                       "Administrators come from the hub's jump host"),
    ])
    nsg_legacy = nsg("rg-data", "nsg-legacy", [
        lambda i: rule(i, "AllowSmbFromWeb", 100, "Allow", "Tcp", "10.1.1.0/24", "*", "445",
                       "Old report share, cut off by a None route"),
    ])
    rt_fw = route_table(rg, "rt-firewall", [("forced-tunnel", "0.0.0.0/0", "VirtualNetworkGateway", None)])
    rt_web = route_table("rg-web", "rt-spoke-web", [
        ("default-via-firewall", "0.0.0.0/0", "VirtualAppliance", fw_ip),
        ("spoke-data-via-firewall", "10.2.0.0/16", "VirtualAppliance", fw_ip),
        ("no-legacy", "10.2.2.0/24", "None", None),
    ])
    rt_data = route_table("rg-data", "rt-spoke-data", [
        ("default-via-firewall", "0.0.0.0/0", "VirtualAppliance", fw_ip),
        ("spoke-web-via-firewall", "10.1.0.0/16", "VirtualAppliance", fw_ip),
    ])
    spoke_flags = {"allowForwardedTraffic": True, "useRemoteGateways": True}
    hub_flags = {"allowForwardedTraffic": True, "allowGatewayTransit": True}
    resources = [
        vnet(rg, "vnet-hub", ["10.0.0.0/16"], [
            ("AzureFirewallSubnet", "10.0.1.0/26", None, rt_fw["id"]),
            ("GatewaySubnet", "10.0.2.0/27", None),
            ("snet-mgmt", "10.0.3.0/24", nsg_mgmt["id"]),
        ], [("hub-to-web", web, hub_flags), ("hub-to-data", data, hub_flags)]),
        vnet("rg-web", "vnet-spoke-web", ["10.1.0.0/16"], [
            ("snet-web", "10.1.1.0/24", nsg_web["id"], rt_web["id"]),
        ], [("web-to-hub", hub, spoke_flags)]),
        vnet("rg-data", "vnet-spoke-data", ["10.2.0.0/16"], [
            ("snet-data", "10.2.1.0/24", nsg_data["id"], rt_data["id"]),
            ("snet-legacy", "10.2.2.0/24", nsg_legacy["id"], rt_data["id"]),
        ], [("data-to-hub", hub, spoke_flags)]),
        nsg_mgmt, nsg_web, nsg_data, nsg_legacy, rt_fw, rt_web, rt_data,
    ]
    # The firewall: a Standard public IP for DNAT, a policy inheriting from the organisation's base.
    fw_pip = rid(rg, "Microsoft.Network/publicIPAddresses", "pip-fw-hub")
    resources.append({"id": fw_pip, "name": "pip-fw-hub", "type": "Microsoft.Network/publicIPAddresses",
                      "location": "westeurope", "resourceGroup": rg, "sku": {"name": "Standard"}, "tags": {},
                      "properties": {"provisioningState": "Succeeded", "ipAddress": "20.60.0.10",
                                     "publicIPAllocationMethod": "Static", "publicIPAddressVersion": "IPv4",
                                     "ipConfiguration": ref(rid(rg, "Microsoft.Network/azureFirewalls", "fw-hub")
                                                            + "/azureFirewallIpConfigurations/fw-ipconfig")}})
    base = rid(rg, "Microsoft.Network/firewallPolicies", "fwpol-base")
    child = rid(rg, "Microsoft.Network/firewallPolicies", "fwpol-hub")

    def policy(pid, name, parent):
        props = {"provisioningState": "Succeeded", "sku": {"tier": "Standard"}, "threatIntelMode": "Alert",
                 "ruleCollectionGroups": []}
        if parent:
            props["basePolicy"] = ref(parent)
        return {"id": pid, "name": name, "type": "Microsoft.Network/firewallPolicies", "location": "westeurope",
                "resourceGroup": rg, "tags": {}, "properties": props}

    def group(pid, name, priority, collections):
        return {"id": f"{pid}/ruleCollectionGroups/{name}", "name": name,
                "type": "Microsoft.Network/firewallPolicies/ruleCollectionGroups",
                "properties": {"provisioningState": "Succeeded", "priority": priority, "ruleCollections": collections}}

    def net_rule(name, protocols, sources, destinations, ports):
        return {"ruleType": "NetworkRule", "name": name, "ipProtocols": protocols, "sourceAddresses": sources,
                "destinationAddresses": destinations, "destinationPorts": ports, "sourceIpGroups": [],
                "destinationIpGroups": [], "destinationFqdns": []}

    resources += [
        policy(base, "fwpol-base", None),
        group(base, "rcg-organisation", 100, [
            {"ruleCollectionType": "FirewallPolicyFilterRuleCollection", "name": "deny-cleartext", "priority": 100,
             "action": {"type": "Deny"},
             "rules": [net_rule("DenyTelnetEverywhere", ["TCP"], ["*"], ["*"], ["23"])]},
        ]),
        policy(child, "fwpol-hub", base),
        group(child, "rcg-hub", 200, [
            {"ruleCollectionType": "FirewallPolicyNatRuleCollection", "name": "dnat-inbound", "priority": 100,
             "action": {"type": "DNAT"},
             "rules": [{"ruleType": "NatRule", "name": "RdpToJump", "ipProtocols": ["TCP"], "sourceAddresses": ["*"],
                        "destinationAddresses": ["20.60.0.10"], "destinationPorts": ["3389"],
                        "translatedAddress": "10.0.3.4", "translatedPort": "3389"}]},
            {"ruleCollectionType": "FirewallPolicyFilterRuleCollection", "name": "net-spokes", "priority": 200,
             "action": {"type": "Allow"},
             "rules": [net_rule("WebToSql", ["TCP"], ["10.1.1.0/24"], ["10.2.1.0/24"], ["1433"]),
                       net_rule("WebToLegacySmb", ["TCP"], ["10.1.1.0/24"], ["10.2.2.0/24"], ["445"]),
                       net_rule("DnsOut", ["UDP"], ["10.0.0.0/8"], ["8.8.8.8", "8.8.4.4"], ["53"])]},
            {"ruleCollectionType": "FirewallPolicyFilterRuleCollection", "name": "app-updates", "priority": 300,
             "action": {"type": "Allow"},
             "rules": [{"ruleType": "ApplicationRule", "name": "WindowsUpdate", "sourceAddresses": ["10.1.0.0/16"],
                        "protocols": [{"protocolType": "Https", "port": 443}], "fqdnTags": ["WindowsUpdate"],
                        "targetFqdns": []}]},
        ]),
    ]
    fw = rid(rg, "Microsoft.Network/azureFirewalls", "fw-hub")
    resources.append({
        "id": fw, "name": "fw-hub", "type": "Microsoft.Network/azureFirewalls", "location": "westeurope",
        "resourceGroup": rg, "tags": {},
        "properties": {
            "provisioningState": "Succeeded", "sku": {"name": "AZFW_VNet", "tier": "Standard"},
            "threatIntelMode": "Alert", "firewallPolicy": ref(child),
            "ipConfigurations": [{"name": "fw-ipconfig", "id": f"{fw}/azureFirewallIpConfigurations/fw-ipconfig",
                                  "properties": {"privateIPAddress": fw_ip, "privateIPAllocationMethod": "Dynamic",
                                                 "subnet": ref(f"{hub}/subnets/AzureFirewallSubnet"),
                                                 "publicIPAddress": ref(fw_pip)}}],
            "natRuleCollections": [], "networkRuleCollections": [], "applicationRuleCollections": []}})
    # Hosts: a jump host in the hub (no public IP: RDP comes in through the firewall's DNAT), two
    # load-balanced web servers, the orders database (the crown jewel) and a legacy report server.
    hosts = [
        (rg, "vm-jump", "10.0.3.4", f"{hub}/subnets/snet-mgmt", {"role": "jump-box"}),
        ("rg-web", "vm-web1", "10.1.1.4", f"{web}/subnets/snet-web", {"tier": "web"}),
        ("rg-web", "vm-web2", "10.1.1.5", f"{web}/subnets/snet-web", {"tier": "web"}),
        ("rg-data", "vm-db1", "10.2.1.4", f"{data}/subnets/snet-data", {"tier": "crown-jewel"}),
        ("rg-data", "vm-legacy", "10.2.2.4", f"{data}/subnets/snet-legacy", {"tier": "legacy"}),
    ]
    nics = {}
    for hrg, name, ip, subnet, tags in hosts:
        nic_id = rid(hrg, "Microsoft.Network/networkInterfaces", f"{name}-nic")
        vm_id = rid(hrg, "Microsoft.Compute/virtualMachines", name)
        nics[name] = nic_id
        resources.append(nic(hrg, f"{name}-nic", ip, subnet, vm=vm_id))
        resources.append(vm(hrg, name, nic_id, tags))
    # The load-balanced tier: a Standard public load balancer, HTTPS to both web servers.
    lb = rid("rg-web", "Microsoft.Network/loadBalancers", "lb-web")
    lb_pip = rid("rg-web", "Microsoft.Network/publicIPAddresses", "pip-lb-web")
    resources.append({"id": lb_pip, "name": "pip-lb-web", "type": "Microsoft.Network/publicIPAddresses",
                      "location": "westeurope", "resourceGroup": "rg-web", "sku": {"name": "Standard"}, "tags": {},
                      "properties": {"provisioningState": "Succeeded", "ipAddress": "20.60.0.20",
                                     "publicIPAllocationMethod": "Static", "publicIPAddressVersion": "IPv4",
                                     "ipConfiguration": ref(f"{lb}/frontendIPConfigurations/fe-web")}})
    pool = f"{lb}/backendAddressPools/pool-web"
    for name in ["vm-web1", "vm-web2"]:
        for r in resources:
            if r["id"] == nics[name]:
                r["properties"]["ipConfigurations"][0]["properties"]["loadBalancerBackendAddressPools"] = [ref(pool)]
    resources.append({
        "id": lb, "name": "lb-web", "type": "Microsoft.Network/loadBalancers", "location": "westeurope",
        "resourceGroup": "rg-web", "sku": {"name": "Standard", "tier": "Regional"}, "tags": {},
        "properties": {
            "provisioningState": "Succeeded",
            "frontendIPConfigurations": [{"name": "fe-web", "id": f"{lb}/frontendIPConfigurations/fe-web",
                                          "properties": {"publicIPAddress": ref(lb_pip)}}],
            "backendAddressPools": [{"name": "pool-web", "id": pool,
                                     "properties": {"backendIPConfigurations": [
                                         ref(f"{nics[n]}/ipConfigurations/ipconfig1") for n in ["vm-web1", "vm-web2"]]}}],
            "probes": [{"name": "probe-https", "id": f"{lb}/probes/probe-https",
                        "properties": {"protocol": "Tcp", "port": 443, "intervalInSeconds": 5, "numberOfProbes": 2}}],
            "loadBalancingRules": [{"name": "rule-https", "id": f"{lb}/loadBalancingRules/rule-https",
                                    "properties": {"protocol": "Tcp", "frontendPort": 443, "backendPort": 443,
                                                   "frontendIPConfiguration": ref(f"{lb}/frontendIPConfigurations/fe-web"),
                                                   "backendAddressPool": ref(pool),
                                                   "probe": ref(f"{lb}/probes/probe-https"),
                                                   "disableOutboundSnat": True}}],
            "inboundNatRules": []}})
    return resources


if __name__ == "__main__":
    write("azure-hub-and-spoke-jump-box.json", hub_and_spoke())
    write("azure-three-tier-asg.json", three_tier())
    write("azure-hub-firewall-udr-spokes.json", hub_firewall_udr_spokes())
