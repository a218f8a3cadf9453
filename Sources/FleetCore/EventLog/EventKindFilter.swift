/// The kinds an operator names in `--kind K[,K2]` (`agent-runner events`, `fleetctl events`),
/// checked against the registry: a misspelt kind would otherwise match nothing and print nothing,
/// which reads as "no such events" rather than "wrong word".
public enum EventKindFilter {
    /// The names in `kinds` this build does not register, in the order given.
    public static func unknown(_ kinds: [String]) -> [String] {
        kinds.filter { EventKind(rawValue: $0) == nil }
    }

    /// `'round_ned' is not an event kind; did you mean 'round_end'?`, or, with no close name, the
    /// message followed by every registered kind (the operator needs the list then).
    public static func message(for name: String) -> String {
        let known = EventKind.all.map(\.rawValue)
        let suggestion = ClosestName.suggestion(for: name, in: known)
        guard suggestion.isEmpty else { return "'\(name)' is not an event kind\(suggestion)" }
        return "'\(name)' is not an event kind (known: \(known.sorted().joined(separator: ", ")))"
    }
}
