import FleetCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Picks hosts out of an inventory the way operators of Ansible and pdsh expect: `all`, a host
/// name, `@group`, a shell glob (`pi-*`), or several of these separated by commas, minus any
/// `--exclude` selectors.
public enum HostSelector {
    /// The hosts `selector` names, in inventory order, minus those `exclude` names.
    public static func select(
        _ selector: String, exclude: [String] = [], from inventory: Inventory
    ) throws(UsageError) -> [Inventory.Host] {
        let included = try matches(selector, in: inventory)
        var excluded = Set<String>()
        for pattern in exclude {
            excluded.formUnion(try matches(pattern, in: inventory))
        }
        return inventory.hosts.filter { included.contains($0.name) && !excluded.contains($0.name) }
    }

    /// Why `selector` can never match (an unknown host or group), or nil when it is usable.
    public static func problem(_ selector: String, hosts: [String], groups: [String]) -> String? {
        for term in terms(selector) {
            if term == "all" || isGlob(term) { continue }
            if term.hasPrefix("@") {
                if !groups.contains(String(term.dropFirst())) {
                    return "unknown group '\(term.dropFirst())' (groups: \(groups.joined(separator: ", ")))"
                }
            } else if !hosts.contains(term) {
                return "unknown host '\(term)'"
            }
        }
        return nil
    }

    private static func matches(_ selector: String, in inventory: Inventory) throws(UsageError) -> Set<String> {
        var names = Set<String>()
        let terms = terms(selector)
        if terms.isEmpty { throw UsageError("empty host selector; use all, a host name, @group or a glob") }
        for term in terms {
            if term == "all" {
                names.formUnion(inventory.hosts.map(\.name))
            } else if term.hasPrefix("@") {
                let group = String(term.dropFirst())
                guard inventory.groups.contains(group) else {
                    throw UsageError("unknown group '\(group)'; 'fleetctl hosts' lists the groups")
                }
                names.formUnion(inventory.hosts.filter { $0.groups.contains(group) }.map(\.name))
            } else if isGlob(term) {
                let matched = inventory.hosts.filter { fnmatch(term, $0.name, 0) == 0 }.map(\.name)
                if matched.isEmpty { throw UsageError("no host matches '\(term)'; 'fleetctl hosts' lists them") }
                names.formUnion(matched)
            } else {
                guard inventory.host(named: term) != nil else {
                    throw UsageError("unknown host '\(term)'; 'fleetctl hosts' lists them")
                }
                names.insert(term)
            }
        }
        return names
    }

    private static func terms(_ selector: String) -> [String] {
        selector.split(separator: ",").map { String($0.trimmingSpaces()) }.filter { !$0.isEmpty }
    }

    private static func isGlob(_ term: String) -> Bool {
        term.contains { $0 == "*" || $0 == "?" || $0 == "[" }
    }
}

extension Substring {
    func trimmingSpaces() -> Substring {
        var text = self
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        return text
    }
}
