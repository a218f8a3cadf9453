/// The five states a row, card, badge, chip or banner can show, as ``PageStyle`` colours them.
///
/// One name per state so both pages say "failed" in the same red: a class string spelled by
/// hand at each call site drifts (`state-error` here, `state-bad` there) and silently loses its
/// colour.
public enum StateClass: String, Sendable, CaseIterable {
    /// Green: healthy, succeeded.
    case ok
    /// Amber: degraded, throttled, waiting.
    case warn
    /// Red: failed, down.
    case bad
    /// Grey: neutral, unknown, stopped on purpose.
    case muted
    /// Blue: worth knowing, not a problem.
    case info

    /// `state-ok`, ...: the CSS class.
    public var cssClass: String { "state-" + rawValue }
}
