extension SSHFailureKind {
    /// The cause ssh's stderr names, or nil when it names none (for callers that kept only the
    /// text of a failure, such as `fleet_ssh_failures_total`'s `kind` label).
    public static func recognised(inStderr stderr: String) -> SSHFailureKind? {
        SSHErrorRecognizer.recognise(stderr)?.kind
    }
}
