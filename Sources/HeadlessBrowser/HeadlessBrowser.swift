import FleetCore
import Glibc
import Synchronization

/// A real headless chromium, driven over the DevTools protocol on a pipe, for the dashboard's
/// end-to-end tests and for `fleet-bench`.
///
/// Why a real browser: the dashboard pages run their own script (they fetch `/api/state` and
/// update the DOM without reloading) under a strict Content-Security-Policy, and only a browser
/// shows whether that script runs, what the CSP blocks and what the page looks like. Why a
/// library of its own: `fleet-bench` (a release executable, no XCTest) measures with the same
/// driver, and the shipped programs must not link it.
///
/// One browser serves many pages (``open(_:timeout:)``); a test class shares one (launching
/// takes about a second). ``close()``, or releasing the last reference, stops chromium and every
/// process it started, reaps them and removes its temporary profile.
public final class HeadlessBrowser: Sendable {
    /// chromium's product string from `Browser.getVersion`, e.g. `Chrome/156.0.8078.114`, for
    /// benchmark reports and test logs.
    public let version: String
    /// The chromium executable that runs (`/usr/bin/chromium`).
    public let executable: String
    /// The browser process's pid, which is also its process group's id.
    public var processID: Int32 { process.pid }
    /// chromium's private directory while it runs: its profile, and `chromium.stderr`, which a
    /// test can attach to its failure. Removed by ``close()``.
    public var temporaryDirectory: String { directory.path }

    private let process: ChromiumProcess
    private let connection: DevToolsConnection
    private let directory: TemporaryDirectory
    private let windowWidth: Int
    private let windowHeight: Int
    private let closed = Mutex(false)

    private init(
        version: String, process: ChromiumProcess, connection: DevToolsConnection, directory: TemporaryDirectory,
        windowWidth: Int, windowHeight: Int
    ) {
        self.version = version
        self.executable = process.executable
        self.process = process
        self.connection = connection
        self.directory = directory
        self.windowWidth = windowWidth
        self.windowHeight = windowHeight
    }

    deinit {
        close()
    }

    /// Starts chromium with a fresh temporary profile and waits (up to 30 s) until it answers
    /// on the DevTools pipe. Pages get a viewport of exactly `windowWidth`×`windowHeight` CSS
    /// pixels at scale 1, so screenshots have that size.
    /// - Throws: `notInstalled` naming the install command when chromium is missing (it is
    ///   found as `$CHROMIUM`, `chromium` or `chromium-browser`); `launchFailed` with the end of
    ///   chromium's stderr when it does not come up.
    public static func launch(windowWidth: Int = 1280, windowHeight: Int = 900) throws -> HeadlessBrowser {
        try launch(windowWidth: windowWidth, windowHeight: windowHeight, environment: ProcessEnvironment.current())
    }

    /// ``launch(windowWidth:windowHeight:)`` with the environment chromium is found with and
    /// runs in (tests point `CHROMIUM` at stand-ins).
    static func launch(
        windowWidth: Int, windowHeight: Int, environment: [String: String]
    ) throws(BrowserError)
        -> HeadlessBrowser
    {
        guard windowWidth > 0, windowHeight > 0 else {
            throw BrowserError(
                .launchFailed,
                "window size \(windowWidth)x\(windowHeight) is not positive; pass a size such as 1280x900")
        }
        let executable = try ChromiumLocator.locate(
            environment: environment, isExecutable: Directories.isExecutableFile)
        let directory = try TemporaryDirectory.create(environment: environment)
        // Until chromium answers, its crash handlers (which leave its process group) become
        // our children rather than PID 1's, so that close() can reap them.
        ChildSubreaper.acquire()
        defer { ChildSubreaper.release() }
        let (process, pipe): (ChromiumProcess, ChromiumProcess.Pipe)
        do {
            (process, pipe) = try ChromiumProcess.spawn(
                executable: executable,
                arguments: ChromiumCommandLine.arguments(
                    userDataDirectory: directory.path + "/profile", windowWidth: windowWidth,
                    windowHeight: windowHeight),
                environment: ChromiumCommandLine.environment(base: environment, temporaryDirectory: directory.path),
                stderrPath: directory.path + "/chromium.stderr")
        } catch {
            directory.remove()
            throw error
        }
        let connection = DevToolsConnection(commandFD: pipe.commandFD, messageFD: pipe.messageFD) {
            Self.report(process)
        }
        do {
            try connection.start()
            let answer = try connection.command("Browser.getVersion", deadline: .now + .seconds(30))
            process.adoptCrashHandlers(namedBy: directory.path)
            return HeadlessBrowser(
                version: answer["product"]?.stringValue ?? "unknown", process: process, connection: connection,
                directory: directory, windowWidth: windowWidth, windowHeight: windowHeight)
        } catch {
            let report = Self.report(process)
            process.stop(grace: .zero) {}
            connection.shutDown()
            directory.remove()
            throw BrowserError(
                .launchFailed,
                "\(executable) did not come up on the DevTools pipe (\(error.code)): \(report)\n"
                    + "To see it fail by hand: \(executable) --headless --no-sandbox --disable-gpu --dump-dom about:blank"
            )
        }
    }

    /// Opens a new tab and loads `url` in it, waiting for the load event (up to `timeout`).
    /// The tab is set up before the URL loads, so ``BrowserPage/messages`` includes what the
    /// page's first scripts log. Pages are independent: each has its own messages.
    public func open(_ url: String, timeout: Duration = .seconds(30)) throws -> BrowserPage {
        let deadline = ContinuousClock.now + timeout
        guard !closed.withLock({ $0 }) else {
            throw BrowserError(.browserGone, "this browser was closed; launch a new one to open \(url)")
        }
        let target = try connection.command("Target.createTarget", ["url": "about:blank"], deadline: deadline)
        guard let targetID = target["targetId"]?.stringValue else {
            throw BrowserError(.protocolError, "chromium created a tab without a targetId: \(target)")
        }
        let attached: JSONValue
        do {
            attached = try connection.command(
                "Target.attachToTarget", ["targetId": .string(targetID), "flatten": true], deadline: deadline)
        } catch {
            connection.post("Target.closeTarget", ["targetId": .string(targetID)], ignoringAnswer: true)
            throw error
        }
        guard let sessionID = attached["sessionId"]?.stringValue else {
            throw BrowserError(.protocolError, "chromium attached to a tab without a sessionId: \(attached)")
        }
        let page = BrowserPage(connection: connection, targetID: targetID, sessionID: sessionID)
        do {
            try page.prepare(width: windowWidth, height: windowHeight, deadline: deadline)
            try page.navigate(url, deadline: deadline, timeout: timeout)
        } catch {
            page.close()
            throw error
        }
        return page
    }

    /// Stops chromium and all its helper processes, reaps them and removes the temporary
    /// profile. Asks chromium to quit first (`Browser.close`), SIGKILLs its process group after
    /// 2 s. Idempotent; also run when the browser is released. Pages then fail with `browserGone`.
    public func close() {
        let first = closed.withLock { closed in
            defer { closed = true }
            return !closed
        }
        guard first else { return }
        let connection = self.connection
        process.stop(grace: .seconds(2)) {
            if !connection.hasEnded { connection.post("Browser.close", ignoringAnswer: true) }
        }
        connection.shutDown()
        directory.remove()
    }

    /// What happened to chromium, for errors: its exit status and the end of its stderr.
    private static func report(_ process: ChromiumProcess) -> String {
        let status =
            process.exitDescription(waitingUpTo: .seconds(1)).map { "chromium (pid \(process.pid)) \($0)" }
            ?? "chromium (pid \(process.pid)) is running but its DevTools pipe ended"
        return "\(status); the end of its stderr (\(process.stderrPath)):\n\(process.stderrTail())"
    }
}
