/// How bad an alert is. Ordered, so hooks can say "warning and worse".
public enum AlertSeverity: String, Sendable, CaseIterable, Comparable {
    case info, warning, critical

    public static func < (lhs: AlertSeverity, rhs: AlertSeverity) -> Bool {
        lhs.rank < rhs.rank
    }

    private var rank: Int {
        switch self {
        case .info: return 0
        case .warning: return 1
        case .critical: return 2
        }
    }

    /// The tag the original tool prints before an alert (`[WARN] disk_warning — ...`).
    public var tag: String {
        switch self {
        case .info: return "[OK]"
        case .warning: return "[WARN]"
        case .critical: return "[CRIT]"
        }
    }
}
