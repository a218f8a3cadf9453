/// Why the browser or a page could not do what was asked, with the next step.
///
/// The message is the whole report: an end-to-end test that fails on a dashboard prints it, so it
/// names the URL or expression, what chromium said (its stderr tail when it died, the page's
/// console when a wait timed out) and what to try.
public struct BrowserError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure, for callers that react differently (a benchmark retries a timeout,
    /// a test does not); the message is for people.
    public struct Code: Sendable, Equatable, CustomStringConvertible {
        public let description: String

        /// No chromium executable was found.
        public static let notInstalled = Code(description: "not installed")
        /// chromium could not be started, or did not answer its first command.
        public static let launchFailed = Code(description: "launch failed")
        /// chromium exited (or was closed) while a command was outstanding.
        public static let browserGone = Code(description: "browser gone")
        /// A wait passed its deadline.
        public static let timedOut = Code(description: "timed out")
        /// The page's JavaScript threw (or rejected) while evaluating an expression.
        public static let javaScript = Code(description: "JavaScript exception")
        /// chromium answered a command with a protocol error.
        public static let protocolError = Code(description: "protocol error")
        /// A navigation failed (connection refused, DNS, a download instead of a page).
        public static let navigationFailed = Code(description: "navigation failed")
        /// A file could not be written (a screenshot) or the temporary profile not be made.
        public static let fileSystem = Code(description: "file system")
    }

    /// The kind of failure.
    public let code: Code
    /// The report for people: what failed, where, and what to do next.
    public let description: String

    /// An error of kind `code`; fleet-bench also builds these for its own scenario failures.
    public init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }
}
