/// What each rule of an NSG gets, and how a region of flows splits among its rules: the
/// first-match questions the checks ask (shadowed, ineffective, exposure, legacy, overly broad).
extension CompiledNetwork {
    /// One rule of one NSG, direction and VNet context, within the traffic that can meet the NSG.
    struct RuleShare {
        /// Every flow of the domain the rule matches as written.
        var matched: FlowRegion
        /// The flows left for it after every rule before it took theirs (empty for a default rule
        /// when the caller skipped those).
        var decided: FlowRegion
        /// Indices (in `effectiveRules`) of earlier rules that take part of what it matches.
        var takenBy: [Int]
    }

    /// For each rule in evaluation order: what it matches within `domain`, what it decides, and
    /// which earlier rules take its flows first. Azure's default rules come last and are never
    /// reported by the audit, so `decideDefaults: false` leaves their `decided` empty.
    func ruleShares(_ nsg: Int, _ direction: Direction, context vnet: Int?, domain: FlowBox, decideDefaults: Bool)
        -> [RuleShare]
    {
        let rules = compiledRules(nsg, direction, context: vnet)
        let written = effectiveRules[nsg][direction] ?? []
        var shares: [RuleShare] = []
        shares.reserveCapacity(rules.count)
        var earlier: [(index: Int, box: FlowBox)] = []
        for (i, rule) in rules.enumerated() {
            let matched = FlowRegion(rule.box.intersection(domain).map { [$0] } ?? [])
            var decided = FlowRegion()
            var takenBy: [Int] = []
            if decideDefaults || !written[i].isDefault {
                decided = matched
                for previous in earlier where !decided.isEmpty && decided.intersects(previous.box) {
                    takenBy.append(previous.index)
                    decided = decided.subtracting(FlowRegion(previous.box))
                    if decided.overflowed { break }
                }
            }
            shares.append(RuleShare(matched: matched, decided: decided, takenBy: takenBy))
            if !matched.isEmpty { earlier.append((i, matched.boxes[0])) }
        }
        return shares
    }

    /// Splits `probe` among the rules of one NSG as Azure evaluates them: each rule gets the part
    /// of what is left that it matches (index in `effectiveRules`, and those flows).
    func split(_ probe: FlowRegion, nsg: Int, _ direction: Direction, context vnet: Int?)
        -> [(rule: Int, flows: FlowRegion)]
    {
        var remaining = probe
        var result: [(rule: Int, flows: FlowRegion)] = []
        for (i, rule) in compiledRules(nsg, direction, context: vnet).enumerated() {
            if remaining.isEmpty { break }
            let taken = remaining.intersection(rule.box)
            if taken.isEmpty { continue }
            result.append((i, taken))
            remaining = remaining.subtracting(rule.box)
        }
        return result
    }

    /// The prefixes of every subnet of `vnet` and of the VNets it routes to, privately or through
    /// the appliances and firewalls routes name (either way: a rule's traffic may come from there).
    func subnetSpace(routableFrom vnet: Int) -> IntervalSet {
        if let known = subnetSpaceCache[vnet] { return known }
        var intervals: [(UInt128, UInt128)] = []
        // By VNet, from prefixes gathered once: a pass over every subnet (and a hash of its VNet's
        // id) for each VNet grew with the square of the estate.
        for v in subnetIntervalsByVNet.indices where mayRoute(vnet, v) || mayRoute(v, vnet) {
            intervals += subnetIntervalsByVNet[v]
        }
        let space = IntervalSet(intervals: intervals)
        subnetSpaceCache[vnet] = space
        return space
    }
}
