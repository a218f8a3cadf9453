/// The rule for every value fleetctl hands to ssh: ssh reads an argument starting with `-`
/// as an option, and its config parser splits `-o` values on whitespace, so such values
/// could smuggle in options (`-oProxyCommand=...` runs a local command).
enum OptionValueCheck {
    /// Why `value` is unsafe to pass to ssh, or nil.
    static func problem(_ value: String, what: String) -> String? {
        if value.isEmpty { return "\(what) is empty" }
        if value.hasPrefix("-") {
            return "\(what) \(OperatorText.quoted(value)) starts with '-', which ssh would read as an option"
        }
        if value.unicodeScalars.contains(where: {
            $0.value <= 0x20 || (0x7F...0x9F).contains($0.value) || $0.properties.isWhitespace
        }) {
            return
                "\(what) \(OperatorText.quoted(value)) holds whitespace or a control character, which ssh would split or misread"
        }
        return nil
    }
}
