extension HumanText {
    /// `1 process`, `3 processes`, `0 files`: a count with its noun in the right number. The
    /// plural is `plural` when given, else the noun with `es` after s, x, z, ch or sh and `s`
    /// otherwise (`process` → `processes`, `build` → `builds`).
    public static func count(_ count: Int, _ noun: String, plural: String? = nil) -> String {
        "\(count) " + (count == 1 ? noun : plural ?? pluralOf(noun))
    }

    /// A plain number without a float's noise: `5`, `0.25`, `1e-07` (a whole number has no
    /// `.0`; other values keep their shortest round-trip digits).
    public static func number(_ value: Double) -> String {
        guard value.isFinite else { return missing }
        if value == value.rounded() && abs(value) < 1e15 { return String(Int64(value)) }
        return JSONWriter.formatDouble(value)
    }

    static func pluralOf(_ noun: String) -> String {
        for ending in ["s", "x", "z", "ch", "sh"] where noun.hasSuffix(ending) { return noun + "es" }
        return noun + "s"
    }
}
