import FleetCore

/// Refuses ssh targets that ssh would read as an option or that could smuggle words into its
/// command line (option injection: a host alias `-oProxyCommand=...` runs a command locally).
public enum SSHTargetCheck {
    /// Why `target` is unsafe, or nil when it is fine.
    public static func problem(with target: String) -> String? {
        if target.isEmpty { return "the ssh target is empty" }
        if target.hasPrefix("-") {
            return "the ssh target \(TOMLFieldReader.quote(target)) starts with '-', which ssh would read as an option"
        }
        if target.unicodeScalars.contains(where: {
            $0.value <= 0x20 || (0x7F...0x9F).contains($0.value) || $0.properties.isWhitespace
        }) {
            return "the ssh target \(TOMLFieldReader.quote(target)) holds whitespace or a control character"
        }
        return nil
    }
}
