/// A day of the week, numbered as Python's `date.weekday()` numbers it (Monday 0 ... Sunday 6),
/// because that is the order the original tool's `[schedule]` windows use for `Mon-Fri` ranges.
public enum Weekday: Int, Sendable, Hashable, CaseIterable, Comparable {
    case monday = 0
    case tuesday, wednesday, thursday, friday, saturday, sunday

    /// The English three-letter abbreviation (`Mon`), as `date '+%a'` prints it in the C locale.
    public var abbreviation: String {
        Self.abbreviations[rawValue]
    }

    /// The weekday for a three-letter abbreviation, ignoring case (`mon`, `MON`, `Mon`).
    public init?(abbreviation: String) {
        let lowered = abbreviation.lowercased()
        guard let index = Self.abbreviations.firstIndex(where: { $0.lowercased() == lowered }) else { return nil }
        self.init(rawValue: index)
    }

    /// The day before (Monday's is Sunday).
    public var previous: Weekday {
        Weekday(rawValue: (rawValue + 6) % 7)!
    }

    public static func < (lhs: Weekday, rhs: Weekday) -> Bool {
        lhs.rawValue < rhs.rawValue
    }

    private static let abbreviations = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
}
