/// `--http-allowed-host NAME[:PORT]`, one flag for every server a command starts (the
/// dashboard, `/metrics`, the progress page): the extra `Host` names they answer
/// (``HTTPHostCheck``), such as the other end of `ssh -L 9000:127.0.0.1:8080` (`localhost:9000`)
/// or a reverse proxy's public name.
public enum HTTPAllowedHostOption {
    public static let spec = OptionSpec(
        "http-allowed-host", value: "NAME[:PORT]",
        help:
            "Also answer requests whose Host is NAME (on any port, or only PORT); repeatable. Others are refused 421, against DNS rebinding (docs/security.md)."
    )

    /// The entries given, in order; a usage error names the first malformed one.
    public static func entries(_ parsed: ParsedArguments) throws(UsageError) -> [HTTPHostCheck.Entry] {
        var entries: [HTTPHostCheck.Entry] = []
        for text in parsed.allValues(spec.name) {
            guard let entry = HTTPHostCheck.Entry(text) else {
                throw UsageError(
                    "--\(spec.name) must be a host name or IP address with an optional :PORT "
                        + "(e.g. localhost:9000, [::1], fleet.example.org), got '\(text)'", verb: parsed.verb)
            }
            entries.append(entry)
        }
        return entries
    }
}
