import Findings
import Foundation
import Testing
import Topology

import enum Findings.InputPlace

/// One small template per ARM feature. The expected deployed resources are worked out by hand from
/// Azure's template reference (functions, loops, conditions, nested deployments); the comment above
/// each expectation says how.
@Suite("ARM templates deploy as Azure Resource Manager would")
struct ARMTemplateTests {
    func load(_ template: String, parameters: [String] = []) throws -> LoadedTopology {
        var values = ARMParameters()
        for (i, text) in parameters.enumerated() { try values.read(Data(text.utf8), file: "p\(i).json") }
        return try TopologyLoader.load(documents: [("t.json", Data(template.utf8))], parameters: values)
    }

    func error(_ template: String, parameters: [String] = []) -> InputError? {
        do {
            _ = try load(template, parameters: parameters)
            return nil
        } catch let e as InputError {
            return e
        } catch {
            return nil
        }
    }

    static func template(parameters: String = "{}", variables: String = "{}", resources: String) -> String {
        """
        {"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
         "contentVersion": "1.0.0.0", "parameters": \(parameters), "variables": \(variables), "resources": \(resources)}
        """
    }

    static let rg = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/template/providers"

    @Test("A parameters file wins over the default; a later file wins over an earlier one")
    func parameterPrecedence() throws {
        let t = Self.template(
            parameters: #"{"nsgName": {"type": "string", "defaultValue": "from-default"}}"#,
            resources:
                #"[{"type": "Microsoft.Network/networkSecurityGroups", "name": "[parameters('nsgName')]", "properties": {}}]"#
        )
        #expect(try load(t).network.securityGroups.map(\.name) == ["from-default"])
        let first = #"{"parameters": {"nsgName": {"value": "from-first"}}}"#
        let second =
            #"{"$schema": "x/deploymentParameters.json#", "contentVersion": "1.0.0.0", "parameters": {"nsgName": {"value": "from-second"}}}"#
        #expect(try load(t, parameters: [first]).network.securityGroups.map(\.name) == ["from-first"])
        #expect(try load(t, parameters: [first, second]).network.securityGroups.map(\.name) == ["from-second"])
    }

    @Test("A parameter with no value is a symbol equal only to itself, with a warning naming it")
    func symbolicParameter() throws {
        // The NSG is named by the parameter and the subnet names it through resourceId() of the same
        // parameter: both are <nsgName>, so the link holds, and equals() with any text is false.
        let t = Self.template(
            parameters: #"{"nsgName": {"type": "string"}}"#,
            resources: """
                [{"type": "Microsoft.Network/networkSecurityGroups", "name": "[parameters('nsgName')]", "properties": {}},
                 {"type": "Microsoft.Network/virtualNetworks", "name": "[if(equals(parameters('nsgName'), 'x'), 'wrong', 'vnet')]",
                  "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                   "subnets": [{"name": "web", "properties": {"addressPrefix": "10.0.1.0/24",
                     "networkSecurityGroup": {"id": "[resourceId('Microsoft.Network/networkSecurityGroups', parameters('nsgName'))]"}}}]}}]
                """)
        let loaded = try load(t)
        #expect(loaded.network.securityGroups.map(\.name) == ["<nsgName>"])
        #expect(loaded.network.virtualNetworks.map(\.name) == ["vnet"])
        #expect(loaded.network.subnets.first?.securityGroup == loaded.network.securityGroups.first?.id)
        #expect(
            loaded.warnings.contains {
                $0.contains("at /parameters/nsgName") && $0.contains("parameter 'nsgName' has no value")
            })
    }

    @Test("Variables are read with property and index access, and may use other variables")
    func variableAccess() throws {
        // variables('cfg').prefixes[1] is the second element: 10.1.0.0/16.
        let t = Self.template(
            variables:
                #"{"cfg": {"prefixes": ["10.0.0.0/16", "10.1.0.0/16"], "name": "[concat('vnet-', variables('suffix'))]"}, "suffix": "a"}"#,
            resources: """
                [{"type": "Microsoft.Network/virtualNetworks", "name": "[variables('cfg').name]",
                  "properties": {"addressSpace": {"addressPrefixes": ["[variables('cfg').prefixes[1]]", "[variables('cfg')['prefixes'][0]]"]}}}]
                """)
        let vnet = try #require(try load(t).network.virtualNetworks.first)
        #expect(vnet.name == "vnet-a")
        #expect(vnet.addressSpace.map(\.description) == ["10.1.0.0/16", "10.0.0.0/16"])
    }

    @Test("condition false leaves the resource out; a deny rule not deployed does not hide an exposure")
    func conditionFalse() throws {
        // The deny rule's condition is equals('no', 'yes') = false: Azure does not deploy it, so SSH
        // from the internet is allowed by the rule at 200 and the NIC is exposed.
        let t = Self.template(
            parameters: #"{"lockDown": {"type": "string", "defaultValue": "no"}}"#,
            resources: """
                [{"type": "Microsoft.Network/networkSecurityGroups", "name": "nsg", "properties": {"securityRules": [
                   {"name": "AllowSSH", "properties": {"priority": 200, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
                    "sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "22"}}]}},
                 {"condition": "[equals(parameters('lockDown'), 'yes')]", "type": "Microsoft.Network/networkSecurityGroups/securityRules",
                  "name": "nsg/DenySSH", "properties": {"priority": 100, "direction": "Inbound", "access": "Deny", "protocol": "Tcp",
                   "sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "22"}}]
                """)
        let rules = try #require(try load(t).network.securityGroups.first).rules
        #expect(rules.map(\.name) == ["AllowSSH"])
        let locked = try load(t, parameters: [#"{"parameters": {"lockDown": {"value": "yes"}}}"#])
        #expect(locked.network.securityGroups.first?.rules.map(\.name).sorted() == ["AllowSSH", "DenySSH"])
    }

    @Test("A resource copy loop deploys count resources named with copyIndex()")
    func resourceCopy() throws {
        // count 3, names nic-1..nic-3 (copyIndex(1) starts at 1), each in subnet web: dynamic
        // addresses 10.0.1.4, .5, .6 in id order.
        let t = Self.template(
            resources: """
                [{"type": "Microsoft.Network/virtualNetworks", "name": "vnet", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                   "subnets": [{"name": "web", "properties": {"addressPrefix": "10.0.1.0/24"}}]}},
                 {"type": "Microsoft.Network/networkInterfaces", "name": "[concat('nic-', copyIndex(1))]", "copy": {"name": "nics", "count": 3},
                  "properties": {"ipConfigurations": [{"name": "ipconfig1", "properties": {"privateIPAllocationMethod": "Dynamic",
                    "subnet": {"id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'web')]"}}}]}}]
                """)
        let nics = try load(t).network.interfaces
        #expect(nics.map(\.name) == ["nic-1", "nic-2", "nic-3"])
        #expect(nics.map { $0.privateAddresses.map(\.description) } == [["10.0.1.4"], ["10.0.1.5"], ["10.0.1.6"]])
    }

    @Test("A property copy loop builds the rule list; a variable copy loop builds an array")
    func propertyAndVariableCopy() throws {
        // Ports come from the variable loop: 8000 + 10*i for i = 0, 1 → [8000, 8010]; the property
        // loop makes one rule per port, priority 100 + copyIndex('securityRules').
        let t = Self.template(
            variables:
                #"{"copy": [{"name": "ports", "count": 2, "input": "[string(add(8000, mul(10, copyIndex('ports'))))]"}]}"#,
            resources: """
                [{"type": "Microsoft.Network/networkSecurityGroups", "name": "nsg", "properties": {
                   "copy": [{"name": "securityRules", "count": "[length(variables('ports'))]", "input": {
                     "name": "[format('allow-{0}', variables('ports')[copyIndex('securityRules')])]",
                     "properties": {"priority": "[add(100, copyIndex('securityRules'))]", "direction": "Inbound", "access": "Allow",
                      "protocol": "Tcp", "sourceAddressPrefix": "10.0.0.0/8", "sourcePortRange": "*", "destinationAddressPrefix": "*",
                      "destinationPortRange": "[variables('ports')[copyIndex('securityRules')]]"}}}]}}]
                """)
        let rules = try #require(try load(t).network.securityGroups.first).rules
        #expect(rules.map(\.name) == ["allow-8000", "allow-8010"])
        #expect(rules.map(\.priority) == [100, 101])
        #expect(rules.map(\.destinationPorts) == [[PortRange(8000, 8000)], [PortRange(8010, 8010)]])
    }

    @Test("Nested inline deployments: inner scope takes its own parameters, outer scope sees the parent's")
    func nestedDeployments() throws {
        // Inner: the nested template's parameter 'name' gets the value 'inner-nsg' passed in.
        // Outer (the default): the nested template's expression reads the parent's variable.
        let t = Self.template(
            variables: #"{"outerName": "outer-nsg"}"#,
            resources: """
                [{"type": "Microsoft.Resources/deployments", "name": "inner", "properties": {"mode": "Incremental",
                   "expressionEvaluationOptions": {"scope": "inner"}, "parameters": {"name": {"value": "[concat('inner', '-nsg')]"}},
                   "template": {"parameters": {"name": {"type": "string"}}, "resources": [
                     {"type": "Microsoft.Network/networkSecurityGroups", "name": "[parameters('name')]", "properties": {}}]}}},
                 {"type": "Microsoft.Resources/deployments", "name": "outer", "properties": {"mode": "Incremental",
                   "template": {"resources": [
                     {"type": "Microsoft.Network/networkSecurityGroups", "name": "[variables('outerName')]", "properties": {}}]}}}]
                """)
        let loaded = try load(t)
        #expect(loaded.network.securityGroups.map(\.name) == ["inner-nsg", "outer-nsg"])
        #expect(loaded.warnings.isEmpty, "\(loaded.warnings)")
    }

    @Test(
        "reference() reads properties of a resource in the template; resourceId() and subscriptionResourceId() build ids"
    )
    func referenceAndIDs() throws {
        // The subnet's prefix is read from the VNet's own properties through reference(), the first
        // of its address prefixes: 10.5.0.0/16 → cidrSubnet(…, 24, 2) = 10.5.2.0/24.
        let t = Self.template(
            resources: """
                [{"type": "Microsoft.Network/virtualNetworks", "name": "vnet", "properties": {"addressSpace": {"addressPrefixes": ["10.5.0.0/16"]}}},
                 {"type": "Microsoft.Network/virtualNetworks/subnets", "name": "vnet/app",
                  "properties": {"addressPrefix": "[cidrSubnet(reference(resourceId('Microsoft.Network/virtualNetworks', 'vnet')).addressSpace.addressPrefixes[0], 24, 2)]"}},
                 {"type": "Microsoft.Network/applicationSecurityGroups", "name": "[last(split(subscriptionResourceId('Microsoft.Resources/resourceGroups', 'rg-x'), '/'))]", "properties": {}}]
                """)
        let loaded = try load(t)
        #expect(loaded.network.subnets.map { $0.prefixes.map(\.description) } == [["10.5.2.0/24"]])
        #expect(
            loaded.network.subnets.first?.id.text == "\(Self.rg)/Microsoft.Network/virtualNetworks/vnet/subnets/app")
        #expect(loaded.network.applicationSecurityGroups.map(\.name) == ["rg-x"])
    }

    @Test("The string, array, logical and numeric functions give Azure's documented results")
    func functions() throws {
        // Each expected value is from the function's example in Azure's template function reference.
        let cases: [(String, String)] = [
            ("[toLower(substring('ABCDEF', 1, 3))]", "bcd"),
            ("[replace('a-b-c', '-', '')]", "abc"),
            ("[concat(take('abcdef', 2), skip('abcdef', 4))]", "abef"),
            ("[string(length(union(createArray('a', 'b'), createArray('b', 'c'))))]", "3"),
            ("[if(and(contains('hello', 'ell'), not(empty(''))), 'yes', 'no')]", "no"),
            ("[string(mod(sub(mul(7, 6), 2), div(9, 2)))]", "0"),
            ("[padLeft('7', 3, '0')]", "007"),
            ("[string(indexOf('abcabc', 'c'))]", "2"),
            ("[format('{0}-{1:N}', 'a', 2)]", "a-2"),
            ("[first(split('x.y.z', '.'))]", "x"),
            ("[last(createArray(1, 2, 3))]", "3"),
            ("[coalesce(null(), 'fallback')]", "fallback"),
            ("[toUpper(trim('  ab '))]", "AB"),
            ("[string(and(startsWith('Standard_B2s', 'standard'), endsWith('abc', 'BC')))]", "True"),
            ("[string(int('42'))]", "42"),
            ("[string(bool('true'))]", "True"),
        ]
        for (expression, expected) in cases {
            // Evaluated through a VM's tags, which the topology keeps as text.
            let vm = Self.template(
                resources: """
                    [{"type": "Microsoft.Compute/virtualMachines", "name": "vm", "tags": {"v": "\(expression)"}, "properties": {}}]
                    """)
            let machine = try #require(try load(vm).network.machines.first)
            #expect(machine.tags["v"] == expected, "\(expression)")
        }
    }

    @Test("uniqueString and guid are deterministic and differ for different inputs")
    func uniqueStrings() throws {
        let vm = Self.template(
            resources: """
                [{"type": "Microsoft.Compute/virtualMachines", "name": "vm", "tags": {
                  "a": "[uniqueString(resourceGroup().id)]", "b": "[uniqueString(resourceGroup().id)]", "c": "[uniqueString('other')]",
                  "g": "[guid('x')]"}, "properties": {}}]
                """)
        let tags = try #require(try load(vm).network.machines.first).tags
        #expect(tags["a"] == tags["b"])
        #expect(tags["a"] != tags["c"])
        #expect(tags["a"]?.count == 13)
        #expect(tags["g"]?.split(separator: "-").map(\.count) == [8, 4, 4, 4, 12])
    }

    @Test(
        "A Bicep-compiled template (languageVersion 2.0, resources keyed by symbolic name) deploys; existing ones do not"
    )
    func bicepSymbolicNames() throws {
        let t = """
            {"languageVersion": "2.0", "contentVersion": "1.0.0.0", "parameters": {}, "resources": {
              "nsg": {"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2023-04-01", "name": "web-nsg", "properties": {}},
              "old": {"existing": true, "type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2023-04-01", "name": "legacy"},
              "vnet": {"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-04-01", "name": "vnet",
                "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}, "subnets": [{"name": "web",
                  "properties": {"addressPrefix": "10.0.0.0/24", "networkSecurityGroup": {"id": "[resourceId('Microsoft.Network/networkSecurityGroups', 'web-nsg')]"}}}]}}}}
            """
        let loaded = try load(t)
        #expect(loaded.network.securityGroups.map(\.name) == ["web-nsg"])
        #expect(loaded.network.subnets.first?.securityGroup?.lastComponent == "web-nsg")
        let pointer = loaded.network.securityGroups.first?.location?.pointer
        #expect(pointer == "/resources/nsg")
    }

    @Test(
        "An unsupported function is a warning naming it and its pointer; an allow rule built on it reads as any source")
    func unsupportedFunction() throws {
        // The source is unknown, so the allow rule is read with source any: the conservative verdict.
        let t = Self.template(
            resources: """
                [{"type": "Microsoft.Network/networkSecurityGroups", "name": "nsg", "properties": {"securityRules": [
                   {"name": "AllowAdmin", "properties": {"priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
                    "sourceAddressPrefix": "[frobnicate('x')]", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "22"}}]}}]
                """)
        let loaded = try load(t)
        let text = loaded.warnings.joined(separator: "\n")
        #expect(
            text.contains(
                "t.json: at /resources/0/properties/securityRules/0/properties/sourceAddressPrefix: cannot evaluate [frobnicate('x')]"
            ))
        #expect(text.contains("frobnicate() is not supported"))
        #expect(text.contains("could be the internet"))
        #expect(loaded.network.securityGroups.first?.rules.first?.sources == [.any])
    }

    @Test("A deny rule whose source is unknown is left out, with a warning")
    func unknownDeny() throws {
        let t = Self.template(
            parameters: #"{"blocked": {"type": "string"}}"#,
            resources: """
                [{"type": "Microsoft.Network/networkSecurityGroups", "name": "nsg", "properties": {"securityRules": [
                   {"name": "DenyBlocked", "properties": {"priority": 100, "direction": "Inbound", "access": "Deny", "protocol": "Tcp",
                    "sourceAddressPrefix": "[parameters('blocked')]", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "*"}}]}}]
                """)
        let loaded = try load(t)
        #expect(loaded.network.securityGroups.first?.rules.isEmpty == true)
        #expect(loaded.warnings.contains { $0.contains("deny rule 'DenyBlocked'") && $0.contains("left out") })
    }

    @Test("A copy count above 800, a negative one, and nesting without end are refused with the pointer")
    func refusedLoops() throws {
        let big = Self.template(
            resources:
                #"[{"type": "Microsoft.Network/networkSecurityGroups", "name": "[concat('n', copyIndex())]", "copy": {"name": "c", "count": 801}, "properties": {}}]"#
        )
        let e = error(big)
        #expect(e?.place == .pointer("/resources/0/copy/count"))
        #expect(e?.reason.contains("800") == true)
        let negative = Self.template(
            resources:
                #"[{"type": "Microsoft.Network/networkSecurityGroups", "name": "n", "copy": {"name": "c", "count": -1}, "properties": {}}]"#
        )
        #expect(error(negative)?.reason.contains("negative") == true)
        // 800 is allowed: Azure's limit is inclusive.
        let limit = Self.template(
            resources:
                #"[{"type": "Microsoft.Network/applicationSecurityGroups", "name": "[concat('a', copyIndex())]", "copy": {"name": "c", "count": 800}, "properties": {}}]"#
        )
        #expect(try load(limit).network.applicationSecurityGroups.count == 800)
        var nested =
            #"{"resources": [{"type": "Microsoft.Network/networkSecurityGroups", "name": "deep", "properties": {}}]}"#
        for _ in 0..<20 {
            nested =
                #"{"resources": [{"type": "Microsoft.Resources/deployments", "name": "d", "properties": {"template": \#(nested)}}]}"#
        }
        let deep = error(nested)
        #expect(deep?.reason.contains("nested deployments go deeper") == true)
        #expect(deep?.place.map { "\($0)".contains("/properties/template") } == true)
    }

    @Test("Loops inside loops and variables that double each other end in an error or a warning, not a hang")
    func evaluationBombs() throws {
        // 800 × 800 × 800 property-loop items: far past the evaluation budget, refused with the pointer.
        let innermost = #"{"copy": [{"name": "c", "count": 800, "input": "[copyIndex('c')]"}]}"#
        let middle = #"{"copy": [{"name": "b", "count": 800, "input": \#(innermost)}]}"#
        let outer = #"{"copy": [{"name": "a", "count": 800, "input": \#(middle)}]}"#
        let loops = Self.template(
            resources: #"[{"type": "Microsoft.Network/virtualNetworks", "name": "v", "properties": {"x": \#(outer)}}]"#)
        let refused = error(loops)
        #expect(refused?.reason.contains("expression evaluations") == true)
        #expect(refused?.place.map { "\($0)".hasPrefix("at /resources/0/properties/x/copy/0/input") } == true)
        // v_i = v_(i-1) twice: 4 · 2^39 characters if nothing stopped it.
        var variables = [#""v0": "abcd""#]
        for i in 1..<40 { variables.append(#""v\#(i)": "[concat(variables('v\#(i - 1)'), variables('v\#(i - 1)'))]""#) }
        let doubling = Self.template(
            variables: "{" + variables.joined(separator: ", ") + "}",
            resources:
                #"[{"type": "Microsoft.Network/networkSecurityGroups", "name": "[variables('v39')]", "properties": {}}]"#
        )
        let loaded = try load(doubling)
        #expect(loaded.warnings.contains { $0.contains("makes a string of more than") })
    }

    @Test("A variable that refers to itself is a warning, not a hang")
    func selfReference() throws {
        let t = Self.template(
            variables: #"{"a": "[variables('b')]", "b": "[variables('a')]"}"#,
            resources:
                #"[{"type": "Microsoft.Network/networkSecurityGroups", "name": "[variables('a')]", "properties": {}}]"#
        )
        let loaded = try load(t)
        #expect(loaded.warnings.contains { $0.contains("refers to itself") })
    }

    @Test("Parameters files of the wrong shape are refused with the JSON pointer")
    func badParametersFiles() throws {
        var p = ARMParameters()
        let notObject = #expect(throws: InputError.self) { try p.read(Data("[1]".utf8), file: "a.json") }
        #expect(notObject?.reason.contains("JSON array") == true)
        let noValue = #expect(throws: InputError.self) {
            try p.read(Data(#"{"parameters": {"x": {"val": 1}}}"#.utf8), file: "b.json")
        }
        #expect(noValue?.place == .pointer("/parameters/x"))
        let plain = #expect(throws: InputError.self) {
            try p.read(Data(#"{"parameters": {"x": 3}}"#.utf8), file: "c.json")
        }
        #expect(plain?.place == .pointer("/parameters/x"))
        let template = #expect(throws: InputError.self) {
            try p.read(Data(#"{"parameters": {}, "resources": []}"#.utf8), file: "d.json")
        }
        #expect(template?.reason.contains("ARM template") == true)
        let missing = #expect(throws: InputError.self) { try p.read(Data(#"{"x": 1}"#.utf8), file: "e.json") }
        #expect(missing?.reason.contains("`parameters`") == true)
    }
}
