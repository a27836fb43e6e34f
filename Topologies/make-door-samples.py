#!/usr/bin/env python3
"""Writes the samples about doors other than a NIC's public IP. Run from anywhere:
`python3 Topologies/make-door-samples.py` (or name the samples to write).

- arm-internal-load-balancer-two-vms.json: the shape of Azure's "2 VMs behind an internal load
  balancer" quickstart template: a Standard internal load balancer (frontend 10.0.2.6, TCP 80) over
  two NICs with Dynamic addresses that name its backend pool, no NSG and no public IP anywhere.
- arm-load-balanced-pair-rdp-nat.json: the shape of the "load-balanced VM pair with inbound NAT
  rules" templates: a Basic public load balancer with a rule TCP 80 → 80 over both VMs and inbound
  NAT rules 50001 → 3389 and 50002 → 3389 (RDP to each VM), as child resources; no NSG.
- azure-standard-lb-with-bastion.json: a resource list (Resource Graph shape) with a Standard public
  load balancer (HTTPS to two web VMs; an SSH NAT rule to an ops VM whose subnet has no NSG), an
  Azure Bastion host in AzureBastionSubnet, a NAT gateway for outbound traffic, and a public IP
  attached to nothing.
- azure-app-gateway-waf-detection.json: an Application Gateway (WAF_v2) in the shape
  `az network application-gateway show` prints (settings flattened onto the resource), its WAF in
  Detection mode, listening on HTTPS 443 and sending to two web VMs by address on port 80, in a
  resource list with the VNet, NSGs and NICs.

- azure-front-door-internal-doors.json: a shop behind a classic Front Door whose WAF policy is in
  Prevention, in front of an application gateway (no WAF of its own) whose public listener only
  Front Door may use; the gateway's path map sends /api/* to the app tier and the rest to the web
  tier, and its private listener serves the VNet; the app tier reaches the database only through an
  internal load balancer; a legacy web VM with its own public IP, also a Front Door backend, still
  admits the internet directly (Front Door can be bypassed).

Topologies/README.md works out the findings of each by hand.
"""
import sys

sys.dont_write_bytecode = True
from azure_ids import ids, ref, write, write_text  # noqa: E402  (Topologies/azure_ids.py)

SUB = "/subscriptions/6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b"
rid = ids(SUB)


def template(parameters, variables, resources):
    return {"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
            "contentVersion": "1.0.0.0", "parameters": parameters, "variables": variables, "resources": resources}


def rid_t(kind, *names):
    """An ARM resourceId() expression."""
    return "[resourceId('" + kind + "', " + ", ".join(names) + ")]"


def arm_vm(name_expr, nic_expr):
    return {"type": "Microsoft.Compute/virtualMachines", "apiVersion": "2023-03-01", "name": name_expr,
            "location": "[parameters('location')]",
            "properties": {"hardwareProfile": {"vmSize": "Standard_D2s_v3"},
                           "networkProfile": {"networkInterfaces": [{"id": nic_expr}]},
                           "osProfile": {"computerName": name_expr, "adminUsername": "[parameters('adminUsername')]",
                                         "adminPassword": "[parameters('adminPassword')]"}}}


def internal_lb():
    subnet = rid_t("Microsoft.Network/virtualNetworks/subnets", "variables('virtualNetworkName')",
                   "variables('subnetName')")
    pool = rid_t("Microsoft.Network/loadBalancers/backendAddressPools", "variables('loadBalancerName')",
                 "'BackendPool1'")
    nic_name = "[format('{0}{1}', variables('networkInterfaceName'), copyIndex())]"
    vm_name = "[format('{0}{1}', parameters('vmNamePrefix'), copyIndex())]"
    nic = {"type": "Microsoft.Network/networkInterfaces", "apiVersion": "2021-05-01", "name": nic_name,
           "location": "[parameters('location')]", "copy": {"name": "nics", "count": 2},
           "properties": {"ipConfigurations": [{"name": "ipconfig1", "properties": {
               "privateIPAllocationMethod": "Dynamic", "subnet": {"id": subnet},
               "loadBalancerBackendAddressPools": [{"id": pool}]}}]}}
    vm = arm_vm(vm_name, rid_t("Microsoft.Network/networkInterfaces",
                               "format('{0}{1}', variables('networkInterfaceName'), copyIndex())"))
    vm["copy"] = {"name": "vms", "count": 2}
    lb = {"type": "Microsoft.Network/loadBalancers", "apiVersion": "2021-05-01",
          "name": "[variables('loadBalancerName')]", "location": "[parameters('location')]",
          "sku": {"name": "Standard"},
          "properties": {
              "frontendIPConfigurations": [{"name": "LoadBalancerFrontend", "properties": {
                  "subnet": {"id": subnet}, "privateIPAddress": "10.0.2.6", "privateIPAllocationMethod": "Static"}}],
              "backendAddressPools": [{"name": "BackendPool1"}],
              "loadBalancingRules": [{"name": "lbrule", "properties": {
                  "frontendIPConfiguration": {"id": rid_t("Microsoft.Network/loadBalancers/frontendIpConfigurations",
                                                          "variables('loadBalancerName')", "'LoadBalancerFrontend'")},
                  "backendAddressPool": {"id": pool},
                  "protocol": "Tcp", "frontendPort": 80, "backendPort": 80, "idleTimeoutInMinutes": 15}}]}}
    vnet = {"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2021-05-01",
            "name": "[variables('virtualNetworkName')]", "location": "[parameters('location')]",
            "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                           "subnets": [{"name": "[variables('subnetName')]",
                                        "properties": {"addressPrefix": "10.0.2.0/24"}}]}}
    return template(
        {"adminUsername": {"type": "string"}, "adminPassword": {"type": "secureString"},
         "vmNamePrefix": {"type": "string", "defaultValue": "BackendVM"},
         "location": {"type": "string", "defaultValue": "[resourceGroup().location]"}},
        {"virtualNetworkName": "vNet", "subnetName": "backendSubnet", "loadBalancerName": "ilb",
         "networkInterfaceName": "nic"},
        [vnet, nic, lb, vm])


def lb_pair_nat():
    subnet = rid_t("Microsoft.Network/virtualNetworks/subnets", "'pair-vnet'", "'web'")
    pool = rid_t("Microsoft.Network/loadBalancers/backendAddressPools", "'pair-lb'", "'web-pool'")
    frontend = rid_t("Microsoft.Network/loadBalancers/frontendIPConfigurations", "'pair-lb'", "'public-frontend'")
    resources = [
        {"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-04-01", "name": "pair-vnet",
         "location": "[parameters('location')]",
         "properties": {"addressSpace": {"addressPrefixes": ["10.10.0.0/16"]},
                        "subnets": [{"name": "web", "properties": {"addressPrefix": "10.10.1.0/24"}}]}},
        {"type": "Microsoft.Network/publicIPAddresses", "apiVersion": "2023-04-01", "name": "pair-lb-pip",
         "location": "[parameters('location')]", "sku": {"name": "Basic"},
         "properties": {"publicIPAllocationMethod": "Dynamic"}},
        {"type": "Microsoft.Network/loadBalancers", "apiVersion": "2023-04-01", "name": "pair-lb",
         "location": "[parameters('location')]", "sku": {"name": "Basic"},
         "properties": {
             "frontendIPConfigurations": [{"name": "public-frontend", "properties": {
                 "publicIPAddress": {"id": rid_t("Microsoft.Network/publicIPAddresses", "'pair-lb-pip'")}}}],
             "backendAddressPools": [{"name": "web-pool"}],
             "loadBalancingRules": [{"name": "http", "properties": {
                 "frontendIPConfiguration": {"id": frontend}, "backendAddressPool": {"id": pool},
                 "protocol": "Tcp", "frontendPort": 80, "backendPort": 80}}]}},
    ]
    for i in range(2):
        nat = rid_t("Microsoft.Network/loadBalancers/inboundNatRules", "'pair-lb'", f"'rdp-vm{i}'")
        resources.append(
            {"type": "Microsoft.Network/loadBalancers/inboundNatRules", "apiVersion": "2023-04-01",
             "name": f"pair-lb/rdp-vm{i}",
             "properties": {"frontendIPConfiguration": {"id": frontend}, "protocol": "Tcp",
                            "frontendPort": 50001 + i, "backendPort": 3389, "enableFloatingIP": False}})
        resources.append(
            {"type": "Microsoft.Network/networkInterfaces", "apiVersion": "2023-04-01", "name": f"vm{i}-nic",
             "location": "[parameters('location')]",
             "properties": {"ipConfigurations": [{"name": "ipconfig1", "properties": {
                 "privateIPAllocationMethod": "Static", "privateIPAddress": f"10.10.1.{4 + i}",
                 "subnet": {"id": subnet}, "loadBalancerBackendAddressPools": [{"id": pool}],
                 "loadBalancerInboundNatRules": [{"id": nat}]}}]}})
        resources.append(arm_vm(f"vm{i}", rid_t("Microsoft.Network/networkInterfaces", f"'vm{i}-nic'")))
    return template(
        {"adminUsername": {"type": "string"}, "adminPassword": {"type": "secureString"},
         "location": {"type": "string", "defaultValue": "[resourceGroup().location]"}},
        {}, resources)


def resource(rg, kind, name, props, sku=None, tags=None):
    r = {"id": rid(rg, kind, name), "name": name, "type": kind, "location": "westeurope", "resourceGroup": rg,
         "tags": tags or {}, "properties": props}
    if sku:
        r["sku"] = {"name": sku}
    return r


def rule(name, priority, protocol, src, port, description, access="Allow"):
    props = {"priority": priority, "access": access, "direction": "Inbound", "protocol": protocol,
             "sourcePortRange": "*", "destinationAddressPrefix": "*", "description": description}
    props["sourceAddressPrefix"] = src
    if isinstance(port, list):
        props["destinationPortRanges"] = port
    else:
        props["destinationPortRange"] = port
    return {"name": name, "properties": props}


def nic(rg, name, address, subnet, pools=(), nat=(), vm=None):
    ipc = {"privateIPAllocationMethod": "Static", "privateIPAddress": address, "subnet": ref(subnet)}
    if pools:
        ipc["loadBalancerBackendAddressPools"] = [ref(p) for p in pools]
    if nat:
        ipc["loadBalancerInboundNatRules"] = [ref(n) for n in nat]
    i = rid(rg, "Microsoft.Network/networkInterfaces", name)
    props = {"ipConfigurations": [{"name": "ipconfig1", "id": f"{i}/ipConfigurations/ipconfig1", "properties": ipc}]}
    if vm:
        props["virtualMachine"] = ref(rid(rg, "Microsoft.Compute/virtualMachines", vm))
    return resource(rg, "Microsoft.Network/networkInterfaces", name, props)


def vm(rg, name, nic_name, tags=None):
    return resource(rg, "Microsoft.Compute/virtualMachines", name,
                    {"networkProfile": {"networkInterfaces": [ref(rid(rg, "Microsoft.Network/networkInterfaces",
                                                                      nic_name))]}}, tags=tags)


def public_ip(rg, name, address, attached=None, sku="Standard"):
    props = {"publicIPAllocationMethod": "Static", "ipAddress": address}
    if attached:
        props["ipConfiguration"] = ref(attached)
    return resource(rg, "Microsoft.Network/publicIPAddresses", name, props, sku=sku)


def standard_lb_bastion():
    rg = "rg-web"
    vnet = rid(rg, "Microsoft.Network/virtualNetworks", "web-vnet")
    lb = rid(rg, "Microsoft.Network/loadBalancers", "web-lb")
    nsg = rid(rg, "Microsoft.Network/networkSecurityGroups", "web-nsg")
    frontend = f"{lb}/frontendIPConfigurations/public"
    pool = f"{lb}/backendAddressPools/web-pool"
    ssh_nat = f"{lb}/inboundNatRules/ssh-ops01"
    bastion = rid(rg, "Microsoft.Network/bastionHosts", "web-bastion")
    natgw = rid(rg, "Microsoft.Network/natGateways", "web-natgw")
    subnets = [
        {"name": "web-subnet", "properties": {"addressPrefix": "10.40.1.0/24", "networkSecurityGroup": ref(nsg),
                                              "natGateway": ref(natgw)}},
        {"name": "ops-subnet", "properties": {"addressPrefix": "10.40.2.0/24"}},
        {"name": "AzureBastionSubnet", "properties": {"addressPrefix": "10.40.250.0/26"}},
    ]
    return [
        resource(rg, "Microsoft.Network/virtualNetworks", "web-vnet",
                 {"addressSpace": {"addressPrefixes": ["10.40.0.0/16"]},
                  "subnets": [dict(s, id=f"{vnet}/subnets/{s['name']}") for s in subnets]}),
        resource(rg, "Microsoft.Network/networkSecurityGroups", "web-nsg", {"securityRules": [
            rule("AllowHttpsFromInternet", 100, "Tcp", "Internet", "443", "public shop front, HTTPS only"),
            rule("AllowManagementFromBastion", 110, "Tcp", "10.40.250.0/26", ["22", "3389"],
                 "management through Azure Bastion only"),
        ]}),
        resource(rg, "Microsoft.Network/loadBalancers", "web-lb", {
            "frontendIPConfigurations": [{"name": "public", "id": frontend, "properties": {
                "publicIPAddress": ref(rid(rg, "Microsoft.Network/publicIPAddresses", "web-lb-pip"))}}],
            "backendAddressPools": [{"name": "web-pool", "id": pool, "properties": {"backendIPConfigurations": [
                ref(rid(rg, "Microsoft.Network/networkInterfaces", f"web0{i}-nic") + "/ipConfigurations/ipconfig1")
                for i in (1, 2)]}}],
            "loadBalancingRules": [{"name": "https", "id": f"{lb}/loadBalancingRules/https", "properties": {
                "frontendIPConfiguration": ref(frontend), "backendAddressPool": ref(pool), "protocol": "Tcp",
                "frontendPort": 443, "backendPort": 443}}],
            "inboundNatRules": [{"name": "ssh-ops01", "id": ssh_nat, "properties": {
                "frontendIPConfiguration": ref(frontend), "protocol": "Tcp", "frontendPort": 50022,
                "backendPort": 22,
                "backendIPConfiguration": ref(rid(rg, "Microsoft.Network/networkInterfaces", "ops01-nic")
                                              + "/ipConfigurations/ipconfig1")}}],
        }, sku="Standard"),
        public_ip(rg, "web-lb-pip", "20.90.2.10", attached=frontend),
        public_ip(rg, "web-bastion-pip", "20.90.2.20", attached=f"{bastion}/bastionHostIpConfigurations/ipconf"),
        public_ip(rg, "web-natgw-pip", "20.90.2.30"),
        public_ip(rg, "old-web-pip", "20.90.2.40"),
        resource(rg, "Microsoft.Network/bastionHosts", "web-bastion", {"ipConfigurations": [{"name": "ipconf",
            "properties": {"subnet": ref(f"{vnet}/subnets/AzureBastionSubnet"),
                           "publicIPAddress": ref(rid(rg, "Microsoft.Network/publicIPAddresses", "web-bastion-pip"))}}]},
                 sku="Standard"),
        resource(rg, "Microsoft.Network/natGateways", "web-natgw", {
            "publicIpAddresses": [ref(rid(rg, "Microsoft.Network/publicIPAddresses", "web-natgw-pip"))],
            "subnets": [ref(f"{vnet}/subnets/web-subnet")]}, sku="Standard"),
        nic(rg, "web01-nic", "10.40.1.4", f"{vnet}/subnets/web-subnet", vm="web01"),
        nic(rg, "web02-nic", "10.40.1.5", f"{vnet}/subnets/web-subnet", vm="web02"),
        nic(rg, "ops01-nic", "10.40.2.4", f"{vnet}/subnets/ops-subnet", vm="ops01"),
        vm(rg, "web01", "web01-nic", {"tier": "web"}),
        vm(rg, "web02", "web02-nic", {"tier": "web"}),
        vm(rg, "ops01", "ops01-nic", {"role": "ops"}),
    ]


def app_gateway_detection():
    rg = "rg-app"
    vnet = rid(rg, "Microsoft.Network/virtualNetworks", "app-vnet")
    gw = rid(rg, "Microsoft.Network/applicationGateways", "app-gw")
    gw_nsg = rid(rg, "Microsoft.Network/networkSecurityGroups", "app-gw-nsg")
    web_nsg = rid(rg, "Microsoft.Network/networkSecurityGroups", "app-web-nsg")
    pip = rid(rg, "Microsoft.Network/publicIPAddresses", "app-gw-pip")
    # `az network application-gateway show`: the settings sit on the resource itself.
    gateway = {
        "id": gw, "name": "app-gw", "type": "Microsoft.Network/applicationGateways", "location": "westeurope",
        "resourceGroup": rg, "provisioningState": "Succeeded", "operationalState": "Running",
        "sku": {"name": "WAF_v2", "tier": "WAF_v2", "capacity": 2},
        "gatewayIPConfigurations": [{"name": "gateway-ip", "id": f"{gw}/gatewayIPConfigurations/gateway-ip",
                                     "subnet": ref(f"{vnet}/subnets/gateway-subnet")}],
        "frontendIPConfigurations": [{"name": "public", "id": f"{gw}/frontendIPConfigurations/public",
                                      "publicIPAddress": ref(pip)}],
        "frontendPorts": [{"name": "https", "id": f"{gw}/frontendPorts/https", "port": 443}],
        "httpListeners": [{"name": "shop-https", "id": f"{gw}/httpListeners/shop-https",
                           "frontendIPConfiguration": ref(f"{gw}/frontendIPConfigurations/public"),
                           "frontendPort": ref(f"{gw}/frontendPorts/https"), "protocol": "Https",
                           "hostName": "shop.example.com"}],
        "backendAddressPools": [{"name": "web", "id": f"{gw}/backendAddressPools/web",
                                 "backendAddresses": [{"ipAddress": "10.50.1.4"}, {"ipAddress": "10.50.1.5"}]}],
        "backendHttpSettingsCollection": [{"name": "web-http", "id": f"{gw}/backendHttpSettingsCollection/web-http",
                                           "port": 80, "protocol": "Http", "requestTimeout": 30}],
        "requestRoutingRules": [{"name": "shop", "id": f"{gw}/requestRoutingRules/shop", "ruleType": "Basic",
                                 "priority": 100, "httpListener": ref(f"{gw}/httpListeners/shop-https"),
                                 "backendAddressPool": ref(f"{gw}/backendAddressPools/web"),
                                 "backendHttpSettings": ref(f"{gw}/backendHttpSettingsCollection/web-http")}],
        "webApplicationFirewallConfiguration": {"enabled": True, "firewallMode": "Detection", "ruleSetType": "OWASP",
                                                "ruleSetVersion": "3.2"},
    }
    return [
        resource(rg, "Microsoft.Network/virtualNetworks", "app-vnet", {
            "addressSpace": {"addressPrefixes": ["10.50.0.0/16"]},
            "subnets": [
                {"name": "gateway-subnet", "id": f"{vnet}/subnets/gateway-subnet",
                 "properties": {"addressPrefix": "10.50.0.0/24", "networkSecurityGroup": ref(gw_nsg)}},
                {"name": "web-subnet", "id": f"{vnet}/subnets/web-subnet",
                 "properties": {"addressPrefix": "10.50.1.0/24", "networkSecurityGroup": ref(web_nsg),
                                "serviceEndpoints": [{"service": "Microsoft.Storage", "locations": ["westeurope"]}]}},
            ]}),
        resource(rg, "Microsoft.Network/networkSecurityGroups", "app-gw-nsg", {"securityRules": [
            rule("AllowHttpsFromInternet", 100, "Tcp", "Internet", "443", "public listener"),
            rule("AllowGatewayManager", 110, "Tcp", "GatewayManager", "65200-65535",
                 "Application Gateway v2 infrastructure ports"),
        ]}),
        resource(rg, "Microsoft.Network/networkSecurityGroups", "app-web-nsg", {"securityRules": [
            rule("AllowHttpFromGateway", 100, "Tcp", "10.50.0.0/24", "80", "only the application gateway"),
        ]}),
        public_ip(rg, "app-gw-pip", "20.90.3.10", attached=f"{gw}/frontendIPConfigurations/public"),
        gateway,
        nic(rg, "app-web01-nic", "10.50.1.4", f"{vnet}/subnets/web-subnet", vm="app-web01"),
        nic(rg, "app-web02-nic", "10.50.1.5", f"{vnet}/subnets/web-subnet", vm="app-web02"),
        vm(rg, "app-web01", "app-web01-nic", {"tier": "web"}),
        vm(rg, "app-web02", "app-web02-nic", {"tier": "web"}),
    ]


def nsg_rule(name, priority, direction, access, protocol, src, dst, port, description):
    return {"name": name, "properties": {
        "priority": priority, "access": access, "direction": direction, "protocol": protocol,
        "sourceAddressPrefix": src, "sourcePortRange": "*", "destinationAddressPrefix": dst,
        "destinationPortRange": port, "description": description}}


def front_door_internal_doors():
    rg = "rg-shop"
    n = "Microsoft.Network"
    vnet = rid(rg, f"{n}/virtualNetworks", "shop-vnet")
    gw = rid(rg, f"{n}/applicationGateways", "shop-gw")
    ilb = rid(rg, f"{n}/loadBalancers", "sql-ilb")
    fd = rid(rg, f"{n}/frontDoors", "shop-fd")
    waf = rid(rg, f"{n}/FrontDoorWebApplicationFirewallPolicies", "shopfdwaf")
    nsgs = {name: rid(rg, f"{n}/networkSecurityGroups", name) for name in ("gw-nsg", "web-nsg", "app-nsg", "data-nsg")}
    subnets = [("gw", "10.60.5.0/24", "gw-nsg"), ("web", "10.60.6.0/24", "web-nsg"), ("app", "10.60.1.0/24", "app-nsg"),
               ("data", "10.60.2.0/24", "data-nsg")]
    gateway = resource(rg, f"{n}/applicationGateways", "shop-gw", {
        "sku": {"name": "Standard_v2", "tier": "Standard_v2", "capacity": 2},
        "gatewayIPConfigurations": [{"name": "gwip", "properties": {"subnet": ref(f"{vnet}/subnets/gw")}}],
        "frontendIPConfigurations": [
            {"name": "public", "id": f"{gw}/frontendIPConfigurations/public",
             "properties": {"publicIPAddress": ref(rid(rg, f"{n}/publicIPAddresses", "shop-gw-pip"))}},
            {"name": "private", "id": f"{gw}/frontendIPConfigurations/private",
             "properties": {"privateIPAddress": "10.60.5.10", "privateIPAllocationMethod": "Static",
                            "subnet": ref(f"{vnet}/subnets/gw")}}],
        "frontendPorts": [{"name": "https", "id": f"{gw}/frontendPorts/https", "properties": {"port": 443}},
                          {"name": "http", "id": f"{gw}/frontendPorts/http", "properties": {"port": 80}}],
        "httpListeners": [
            {"name": "public-https", "id": f"{gw}/httpListeners/public-https", "properties": {
                "frontendIPConfiguration": ref(f"{gw}/frontendIPConfigurations/public"),
                "frontendPort": ref(f"{gw}/frontendPorts/https"), "protocol": "Https"}},
            {"name": "private-http", "id": f"{gw}/httpListeners/private-http", "properties": {
                "frontendIPConfiguration": ref(f"{gw}/frontendIPConfigurations/private"),
                "frontendPort": ref(f"{gw}/frontendPorts/http"), "protocol": "Http"}}],
        "backendAddressPools": [
            {"name": "web-pool", "id": f"{gw}/backendAddressPools/web-pool",
             "properties": {"backendAddresses": [{"ipAddress": "10.60.6.4"}]}},
            {"name": "api-pool", "id": f"{gw}/backendAddressPools/api-pool", "properties": {
                "backendIPConfigurations": [ref(rid(rg, f"{n}/networkInterfaces", "app1-nic")
                                                + "/ipConfigurations/ipconfig1")]}}],
        "backendHttpSettingsCollection": [
            {"name": "web-http", "id": f"{gw}/backendHttpSettingsCollection/web-http",
             "properties": {"port": 80, "protocol": "Http"}},
            {"name": "api-http", "id": f"{gw}/backendHttpSettingsCollection/api-http",
             "properties": {"port": 8080, "protocol": "Http"}}],
        "urlPathMaps": [{"name": "shop-paths", "id": f"{gw}/urlPathMaps/shop-paths", "properties": {
            "defaultBackendAddressPool": ref(f"{gw}/backendAddressPools/web-pool"),
            "defaultBackendHttpSettings": ref(f"{gw}/backendHttpSettingsCollection/web-http"),
            "pathRules": [{"name": "api", "properties": {
                "paths": ["/api/*"], "backendAddressPool": ref(f"{gw}/backendAddressPools/api-pool"),
                "backendHttpSettings": ref(f"{gw}/backendHttpSettingsCollection/api-http")}}]}}],
        "requestRoutingRules": [
            {"name": "shop", "properties": {"ruleType": "PathBasedRouting", "priority": 100,
                                            "httpListener": ref(f"{gw}/httpListeners/public-https"),
                                            "urlPathMap": ref(f"{gw}/urlPathMaps/shop-paths")}},
            {"name": "intranet", "properties": {"ruleType": "Basic", "priority": 200,
                                                "httpListener": ref(f"{gw}/httpListeners/private-http"),
                                                "backendAddressPool": ref(f"{gw}/backendAddressPools/web-pool"),
                                                "backendHttpSettings": ref(f"{gw}/backendHttpSettingsCollection/web-http")}}],
    })
    shop_pip = public_ip(rg, "shop-gw-pip", "20.60.0.5", attached=f"{gw}/frontendIPConfigurations/public")
    shop_pip["properties"]["dnsSettings"] = {"domainNameLabel": "shop",
                                             "fqdn": "shop.westeurope.cloudapp.azure.com"}
    legacy_nic = nic(rg, "legacy-web-nic", "10.60.6.5", f"{vnet}/subnets/web", vm="legacy-web")
    legacy_nic["properties"]["ipConfigurations"][0]["properties"]["publicIPAddress"] = ref(
        rid(rg, f"{n}/publicIPAddresses", "legacy-web-pip"))
    db_nic = nic(rg, "db1-nic", "10.60.2.4", f"{vnet}/subnets/data", vm="db1")
    db_nic["properties"]["ipConfigurations"][0]["properties"]["loadBalancerBackendAddressPools"] = [
        ref(f"{ilb}/backendAddressPools/sql")]
    return [
        resource(rg, f"{n}/virtualNetworks", "shop-vnet", {
            "addressSpace": {"addressPrefixes": ["10.60.0.0/16"]},
            "subnets": [{"name": name, "id": f"{vnet}/subnets/{name}",
                         "properties": {"addressPrefix": prefix, "networkSecurityGroup": ref(nsgs[nsg])}}
                        for name, prefix, nsg in subnets]}),
        resource(rg, f"{n}/networkSecurityGroups", "gw-nsg", {"securityRules": [
            nsg_rule("AllowFrontDoorHttps", 100, "Inbound", "Allow", "Tcp", "AzureFrontDoor.Backend", "*", "443",
                     "only Front Door may use the public listener"),
            nsg_rule("AllowVnetHttp", 110, "Inbound", "Allow", "Tcp", "VirtualNetwork", "*", "80",
                     "the private listener serves the VNet"),
        ]}),
        resource(rg, f"{n}/networkSecurityGroups", "web-nsg", {"securityRules": [
            nsg_rule("AllowGatewayHttp", 100, "Inbound", "Allow", "Tcp", "10.60.5.0/24", "*", "80",
                     "the application gateway's instances"),
            nsg_rule("AllowLegacyHttps", 110, "Inbound", "Allow", "Tcp", "Internet", "10.60.6.5", "443",
                     "legacy shop front, to be retired behind Front Door"),
        ]}),
        resource(rg, f"{n}/networkSecurityGroups", "app-nsg", {"securityRules": [
            nsg_rule("AllowGatewayApi", 100, "Inbound", "Allow", "Tcp", "10.60.5.0/24", "*", "8080",
                     "the application gateway's /api/* rule"),
            nsg_rule("AllowSqlFrontend", 100, "Outbound", "Allow", "Tcp", "*", "10.60.2.6", "1433",
                     "the database through its internal load balancer"),
            nsg_rule("DenyDataSubnet", 110, "Outbound", "Deny", "*", "*", "10.60.2.0/24", "*",
                     "no direct access to the database hosts"),
        ]}),
        resource(rg, f"{n}/networkSecurityGroups", "data-nsg", {"securityRules": [
            nsg_rule("AllowAppSql", 100, "Inbound", "Allow", "Tcp", "10.60.1.0/24", "*", "1433", "the app tier"),
            nsg_rule("DenyAllElse", 200, "Inbound", "Deny", "*", "*", "*", "*", "nothing else"),
        ]}),
        shop_pip,
        public_ip(rg, "legacy-web-pip", "20.60.0.9",
                  attached=rid(rg, f"{n}/networkInterfaces", "legacy-web-nic") + "/ipConfigurations/ipconfig1"),
        gateway,
        resource(rg, f"{n}/loadBalancers", "sql-ilb", {
            "frontendIPConfigurations": [{"name": "sql", "id": f"{ilb}/frontendIPConfigurations/sql", "properties": {
                "privateIPAddress": "10.60.2.6", "privateIPAllocationMethod": "Static",
                "subnet": ref(f"{vnet}/subnets/data")}}],
            "backendAddressPools": [{"name": "sql", "id": f"{ilb}/backendAddressPools/sql"}],
            "loadBalancingRules": [{"name": "sql", "id": f"{ilb}/loadBalancingRules/sql", "properties": {
                "frontendIPConfiguration": ref(f"{ilb}/frontendIPConfigurations/sql"),
                "backendAddressPool": ref(f"{ilb}/backendAddressPools/sql"), "protocol": "Tcp",
                "frontendPort": 1433, "backendPort": 1433}}]}, sku="Standard"),
        resource(rg, f"{n}/FrontDoorWebApplicationFirewallPolicies", "shopfdwaf", {
            "policySettings": {"enabledState": "Enabled", "mode": "Prevention"},
            "managedRules": {"managedRuleSets": [{"ruleSetType": "Microsoft_DefaultRuleSet", "ruleSetVersion": "2.1"}]}},
                 sku="Premium_AzureFrontDoor"),
        resource(rg, f"{n}/frontDoors", "shop-fd", {
            "frontendEndpoints": [{"name": "shop-azurefd-net", "id": f"{fd}/frontendEndpoints/shop-azurefd-net",
                                   "properties": {"hostName": "shop-fd.azurefd.net",
                                                  "webApplicationFirewallPolicyLink": ref(waf)}}],
            "backendPools": [{"name": "shop", "id": f"{fd}/backendPools/shop", "properties": {"backends": [
                {"address": "shop.westeurope.cloudapp.azure.com", "httpPort": 80, "httpsPort": 443,
                 "enabledState": "Enabled", "priority": 1, "weight": 90},
                {"address": "20.60.0.9", "httpPort": 80, "httpsPort": 443, "enabledState": "Enabled",
                 "priority": 2, "weight": 10}]}}],
            "routingRules": [{"name": "shop", "properties": {
                "frontendEndpoints": [ref(f"{fd}/frontendEndpoints/shop-azurefd-net")], "acceptedProtocols": ["Https"],
                "patternsToMatch": ["/*"], "routeConfiguration": {
                    "@odata.type": "#Microsoft.Azure.FrontDoor.Models.FrontdoorForwardingConfiguration",
                    "forwardingProtocol": "HttpsOnly", "backendPool": ref(f"{fd}/backendPools/shop")}}}]}),
        nic(rg, "web1-nic", "10.60.6.4", f"{vnet}/subnets/web", vm="web1"),
        legacy_nic,
        nic(rg, "app1-nic", "10.60.1.4", f"{vnet}/subnets/app", vm="app1"),
        db_nic,
        vm(rg, "web1", "web1-nic", {"tier": "web"}),
        vm(rg, "legacy-web", "legacy-web-nic", {"tier": "web"}),
        vm(rg, "app1", "app1-nic", {"tier": "app"}),
        vm(rg, "db1", "db1-nic", {"tier": "crown-jewel"}),
    ]


FRONT_DOOR_FLOWS = """source,destination,protocol,port
# the app tier to the database through the internal load balancer, and around it
10.60.1.4,10.60.2.6,tcp,1433
10.60.1.4,10.60.2.4,tcp,1433
10.60.6.4,10.60.2.6,tcp,1433
10.60.1.4,10.60.2.6,tcp,22
# the gateway's private listener, from the VNet
10.60.1.4,10.60.5.10,tcp,80
# from the internet: the gateway admits only Front Door; the legacy VM admits anyone
198.51.100.7,20.60.0.5,tcp,443
198.51.100.7,20.60.0.9,tcp,443
198.51.100.7,10.60.2.6,tcp,1433
"""


if __name__ == "__main__":
    write("azure-front-door-internal-doors.json", front_door_internal_doors())
    write_text("flows/azure-front-door-internal-doors.csv", FRONT_DOOR_FLOWS)
    write("arm-internal-load-balancer-two-vms.json", internal_lb())
    write("arm-load-balanced-pair-rdp-nat.json", lb_pair_nat())
    write("azure-standard-lb-with-bastion.json", standard_lb_bastion())
    write("azure-app-gateway-waf-detection.json", app_gateway_detection())
