import FleetCore
import Glibc
import Synchronization

/// One tab of a ``HeadlessBrowser``: what an end-to-end test of a dashboard page drives.
///
/// Every method blocks until chromium has done the work or its timeout passes, and may be
/// called from any thread. The page keeps the browser's connection, not the browser: when the
/// ``HeadlessBrowser`` is closed (or released), the page's methods fail with `browserGone`.
public final class BrowserPage: Sendable {
    private let connection: DevToolsConnection
    private let targetID: String
    private let sessionID: String
    private let closed = Mutex(false)
    /// The URL last navigated to, for error messages.
    private let currentURL = Mutex("about:blank")

    init(connection: DevToolsConnection, targetID: String, sessionID: String) {
        self.connection = connection
        self.targetID = targetID
        self.sessionID = sessionID
    }

    deinit {
        if !closed.withLock({ $0 }) && !connection.hasEnded {
            connection.post("Target.closeTarget", ["targetId": .string(targetID)], ignoringAnswer: true)
        }
    }

    /// Turns on the events the page's methods rely on: lifecycle events (the load waits),
    /// console and exceptions (``messages``), the browser's log (CSP violations). Sets the
    /// viewport to exactly the window size: new headless otherwise subtracts room for the
    /// browser's toolbar (a 1280×900 window gave an 813-pixel-high page), and screenshots would
    /// not be the size asked for.
    func prepare(width: Int, height: Int, deadline: ContinuousClock.Instant) throws(BrowserError) {
        for method in ["Page.enable", "Runtime.enable", "Log.enable"] {
            _ = try command(method, deadline: deadline)
        }
        _ = try command("Page.setLifecycleEventsEnabled", ["enabled": true], deadline: deadline)
        _ = try command(
            "Emulation.setDeviceMetricsOverride",
            ["width": .int(Int64(width)), "height": .int(Int64(height)), "deviceScaleFactor": 1, "mobile": false],
            deadline: deadline)
    }

    /// Runs `expression` in the page (`Runtime.evaluate` with `returnByValue` and
    /// `awaitPromise`) and returns its value as JSON: a promise is awaited, `undefined` is
    /// `null`. Tests read the DOM with it, and drive the page (`document.querySelector(...).click()`).
    /// Values JSON cannot hold come back as JSON does them: a DOM node, a function or a `Map` is
    /// `{}`, `undefined` and `NaN` in an array are `null`; read `.textContent`, or build a plain
    /// object, instead.
    /// - Throws: `javaScript` with the exception's message when the expression throws or its
    ///   promise rejects; `protocolError` when chromium cannot serialise the value at all
    ///   (`window`, a Symbol).
    public func evaluate(_ expression: String, timeout: Duration = .seconds(10)) throws -> JSONValue {
        RemoteValue.json(try remoteEvaluate(expression, deadline: .now + timeout))
    }

    /// Waits until `expression` is truthy, evaluating it every 50 ms. For live updates: the
    /// page's own script fetches new state and changes the DOM, and the test waits for the
    /// change instead of sleeping. An expression that throws (an element that does not exist
    /// yet) counts as not yet true.
    /// - Throws: `timedOut` showing the expression's last value (or exception) and the page's
    ///   messages, which usually say why (a failed fetch, a CSP violation, an exception).
    public func waitUntil(_ expression: String, timeout: Duration = .seconds(15)) throws {
        let deadline = ContinuousClock.now + timeout
        var last = "(not evaluated)"
        while true {
            do {
                let value = try remoteEvaluate(expression, deadline: deadline)
                if RemoteValue.isTruthy(value) { return }
                last = RemoteValue.displayText(remoteObject: value)
            } catch {
                // Not there yet, or a navigation in progress: try again. A time-out ends the wait
                // below; a browser that went away ends it now.
                guard error.code != .browserGone else { throw error }
                if error.code == .timedOut { break }
                last = error.description
            }
            let next = ContinuousClock.now + .milliseconds(50)
            guard next < deadline else { break }
            SystemMonotonicClock().sleep(until: next)
        }
        throw BrowserError(
            .timedOut,
            "waited \(timeout) for `\(expression)` to become true on \(url), but its last value was \(last)"
                + messagesReport())
    }

    /// Loads `url` in this tab and waits for its load event (all of the document's scripts,
    /// styles and images; not fetches its scripts start afterwards: wait for those with
    /// ``waitUntil(_:timeout:)``).
    /// - Throws: `navigationFailed` when the URL cannot be loaded at all (connection refused,
    ///   unknown host); an HTTP error status still loads its error page.
    public func navigate(_ url: String, timeout: Duration = .seconds(30)) throws {
        try navigate(url, deadline: .now + timeout, timeout: timeout)
    }

    /// Writes a PNG of the page to `path` (creating its directory), to keep as a test artifact
    /// or for docs/. With `fullPage` (the default) the image is the whole document, taller than
    /// the window when the page scrolls (`captureBeyondViewport`); it is never smaller than the
    /// window. Without it, exactly the window. Waits up to 60 s (a 20,000-pixel page takes about 1 s).
    public func screenshot(to path: String, fullPage: Bool = true) throws {
        let deadline = ContinuousClock.now + .seconds(60)
        var params: JSONObject = ["format": "png"]
        if fullPage {
            let metrics = try command("Page.getLayoutMetrics", deadline: deadline)
            let size = metrics["cssContentSize"]
            let width = size?["width"]?.doubleValue ?? 0
            let height = size?["height"]?.doubleValue ?? 0
            if width > 0 && height > 0 {
                params["captureBeyondViewport"] = true
                params["clip"] = [
                    "x": 0, "y": 0, "width": .double(width.rounded(.up)), "height": .double(height.rounded(.up)),
                    "scale": 1,
                ]
            }
        }
        let result = try command("Page.captureScreenshot", params, deadline: deadline)
        guard let encoded = result["data"]?.stringValue, let png = Base64.decode(encoded) else {
            throw BrowserError(.protocolError, "chromium's screenshot of \(url) was not valid base64; rerun the test")
        }
        let directory = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        if !directory.isEmpty, let code = Directories.create(directory) {
            throw BrowserError(
                .fileSystem,
                "cannot create \(directory) for the screenshot (\(String(cString: strerror(code)))); check the path")
        }
        do {
            try AtomicFile.write(png, to: path)
        } catch {
            throw BrowserError(.fileSystem, "cannot write the screenshot of \(url): \(error)")
        }
    }

    /// The page's current DOM as HTML (`document.documentElement.outerHTML`), after its
    /// scripts changed it: what a test greps, or saves next to a screenshot.
    public func dom() throws -> String {
        let value = try evaluate("document.documentElement.outerHTML")
        guard let html = value.stringValue else {
            throw BrowserError(.protocolError, "\(url) has no document element (got \(RemoteValue.jsonText(value)))")
        }
        return html
    }

    /// Console messages, uncaught exceptions and the browser's own log entries (Content-Security
    /// -Policy violations among them), one `"level: text"` line each, in the order they
    /// happened, since the tab opened (the last 10,000). A dashboard test asserts that none is an error: a CSP
    /// violation, for one, shows nowhere else. Levels: the console method (`log`, `warning`,
    /// `error`, ...), `exception`, or the log entry's level (`error` for CSP violations and
    /// failed loads, `warning`, `info`, `verbose`). See ``PageMessage`` for the formats.
    public var messages: [String] {
        connection.messages(session: sessionID)
    }

    /// Navigates to `url` and returns the milliseconds from the navigation's start to the
    /// moment `expression` first became truthy in the new document, measured inside the page
    /// with `performance.now()` (so the pipe and this process's scheduling add nothing). For
    /// render timing: `millisecondsUntil("document.querySelectorAll('tr').length >= 1000", ...)`.
    /// The mark is taken when the DOM satisfies the expression, before layout and paint of it;
    /// see ``RenderMark`` for exactly when the expression is checked.
    public func millisecondsUntil(
        _ expression: String, afterNavigatingTo url: String, timeout: Duration = .seconds(30)
    ) throws -> Double {
        let deadline = ContinuousClock.now + timeout
        let added = try command(
            "Page.addScriptToEvaluateOnNewDocument", ["source": .string(RenderMark.script(for: expression))],
            deadline: deadline)
        defer {
            if let identifier = added["identifier"] {
                connection.post(
                    "Page.removeScriptToEvaluateOnNewDocument", ["identifier": identifier], session: sessionID,
                    ignoringAnswer: true)
            }
        }
        try navigate(url, deadline: deadline, timeout: timeout)
        while true {
            if let mark = RemoteValue.json(try remoteEvaluate(RenderMark.variable, deadline: deadline)).doubleValue {
                return mark
            }
            let next = ContinuousClock.now + .milliseconds(20)
            guard next < deadline else { break }
            SystemMonotonicClock().sleep(until: next)
        }
        throw BrowserError(
            .timedOut,
            "`\(expression)` did not become true within \(timeout) of navigating to \(url)" + messagesReport())
    }

    /// Closes the tab. The browser stays up for other pages. Idempotent.
    public func close() {
        let first = closed.withLock { closed in
            defer { closed = true }
            return !closed
        }
        guard first, !connection.hasEnded else { return }
        _ = try? connection.command(
            "Target.closeTarget", ["targetId": .string(targetID)], deadline: .now + .seconds(5))
    }

    // MARK: Internals

    func navigate(_ url: String, deadline: ContinuousClock.Instant, timeout: Duration) throws(BrowserError) {
        currentURL.withLock { $0 = url }
        let mark = connection.eventMark
        let result = try command("Page.navigate", ["url": .string(url)], deadline: deadline)
        if let failure = result["errorText"]?.stringValue, !failure.isEmpty {
            throw BrowserError(
                .navigationFailed,
                "cannot load \(url): \(failure); check that the server is running and the URL is right")
        }
        if result["isDownload"]?.boolValue == true {
            throw BrowserError(
                .navigationFailed, "\(url) is a download, not a page; check the server's Content-Type")
        }
        // A same-document navigation (only the #fragment changed) has no loader and no load event.
        guard let loader = result["loaderId"]?.stringValue else { return }
        let session = sessionID
        let loaded = try connection.waitForEvent(after: mark, until: deadline) { event in
            event.sessionID == session && event.method == "Page.lifecycleEvent"
                && event.params["name"]?.stringValue == "load" && event.params["loaderId"]?.stringValue == loader
        }
        if loaded == nil {
            throw BrowserError(
                .timedOut,
                "\(url) did not finish loading within \(timeout) (no load event: a script, style or image "
                    + "it references never arrived)" + messagesReport())
        }
    }

    private var url: String { currentURL.withLock { $0 } }

    private func remoteEvaluate(
        _ expression: String, deadline: ContinuousClock.Instant
    ) throws(BrowserError)
        -> JSONValue
    {
        let result: JSONValue
        do {
            result = try command(
                "Runtime.evaluate", ["expression": .string(expression), "returnByValue": true, "awaitPromise": true],
                deadline: deadline)
        } catch {
            guard error.code == .protocolError else { throw error }
            throw BrowserError(
                .protocolError,
                "`\(expression)` on \(url): \(error.description); return a value JSON can hold "
                    + "(read .textContent, build a plain object)")
        }
        if let details = result["exceptionDetails"] {
            throw BrowserError(.javaScript, "`\(expression)` threw on \(url): \(PageMessage.exceptionText(details))")
        }
        return result["result"] ?? .object([:])
    }

    private func command(
        _ method: String, _ params: JSONObject = [:], deadline: ContinuousClock.Instant
    )
        throws(BrowserError) -> JSONValue
    {
        guard !closed.withLock({ $0 }) else {
            throw BrowserError(.browserGone, "the page for \(url) was closed; open a new one with HeadlessBrowser.open")
        }
        return try connection.command(method, params, session: sessionID, deadline: deadline)
    }

    /// The page's messages for an error report: the last 20, or a note that there were none.
    private func messagesReport() -> String {
        let all = messages
        guard !all.isEmpty else { return "; the page logged no console messages or errors" }
        let shown = all.suffix(20)
        let skipped = all.count > shown.count ? " (last \(shown.count) of \(all.count))" : ""
        return "; page messages\(skipped):\n" + shown.map { "  " + $0 }.joined(separator: "\n")
    }
}
