import FleetCore
import Foundation
import Glibc
import XCTest

@testable import HeadlessBrowser

/// Launch and shutdown with a browser of each test's own: nothing of chromium may outlive
/// `close()`, not even a zombie (PID 1 on the CI machines does not reap).
final class BrowserLifecycleTests: XCTestCase {
    func testCloseLeavesNoProcessOfTheBrowsersGroupAndNoProfile() throws {
        let browser = try SharedBrowser.launchOrExplain()
        let page = try browser.open(dataURL("<p>hi</p>"))
        let group = browser.processID
        let directory = browser.temporaryDirectory
        XCTAssertTrue(browser.version.hasPrefix("Chrome/"), browser.version)
        XCTAssertGreaterThan(members(of: group).count, 2, "chromium runs helpers (zygote, renderer, ...) in its group")
        XCTAssertTrue(Directories.exists(directory + "/profile"))
        // chromium's crash handlers leave its group; they are found by the directory their
        // database is in.
        let handlers = ProcessTree.snapshot().filter {
            $0.processGroup != group && (ProcessTree.commandLine(of: $0.pid) ?? []).contains { $0.contains(directory) }
        }
        XCTAssertFalse(handlers.isEmpty, "no crash handler found; this chromium starts none?")

        let started = ContinuousClock.now
        browser.close()
        let took = ContinuousClock.now - started

        XCTAssertEqual(members(of: group), [], "left in chromium's process group, zombies included")
        XCTAssertEqual(
            handlers.compactMap { ProcessTree.entry(for: $0.pid) }, [], "crash handlers left, zombies included")
        XCTAssertFalse(Directories.exists(directory), "the temporary profile was not removed")
        XCTAssertLessThan(took, .seconds(5))
        XCTAssertThrowsError(try page.evaluate("1")) { error in
            XCTAssertEqual((error as? BrowserError)?.code, .browserGone, "\(error)")
        }
        XCTAssertThrowsError(try browser.open("about:blank")) { error in
            XCTAssertEqual((error as? BrowserError)?.code, .browserGone, "\(error)")
        }
        browser.close()  // idempotent
    }

    func testReleasingTheBrowserStopsChromium() throws {
        var browser: HeadlessBrowser? = try SharedBrowser.launchOrExplain()
        let group = try XCTUnwrap(browser?.processID)
        XCTAssertFalse(members(of: group).isEmpty)

        browser = nil

        XCTAssertEqual(members(of: group), [])
    }

    /// A browser that dies under a test (the OOM killer, a crash) is reported with how it
    /// ended and its stderr, and close() still cleans up after it.
    func testABrowserThatDiesIsReportedAndStillCleanedUp() throws {
        let browser = try SharedBrowser.launchOrExplain()
        let page = try browser.open(dataURL("<p>hi</p>"))
        let group = browser.processID

        kill(group, SIGKILL)

        XCTAssertThrowsError(try page.evaluate("1")) { error in
            let failure = error as? BrowserError
            XCTAssertEqual(failure?.code, .browserGone)
            XCTAssertTrue(
                failure?.description.contains("chromium (pid \(group)) was killed by SIGKILL") ?? false, "\(error)")
            XCTAssertTrue(failure?.description.contains("the end of its stderr") ?? false, "\(error)")
        }
        browser.close()
        // Helpers orphaned by the crash, before close() began, went to PID 1: only it can reap
        // their zombies. None may still run.
        XCTAssertEqual(members(of: group).filter { !$0.isZombie }, [])
    }

    func testAChromiumThatExitsAtStartIsReportedWithItsStderr() throws {
        let directory = NSTemporaryDirectory() + "fake-chromium-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let fake = directory + "/chromium"
        try "#!/bin/sh\necho 'Missing X server or $DISPLAY' >&2\nexit 3\n".write(
            toFile: fake, atomically: true, encoding: .utf8)
        chmod(fake, 0o755)
        var environment = ProcessInfo.processInfo.environment
        environment["CHROMIUM"] = fake

        XCTAssertThrowsError(try HeadlessBrowser.launch(windowWidth: 800, windowHeight: 600, environment: environment))
        { error in
            let failure = error as? BrowserError
            XCTAssertEqual(failure?.code, .launchFailed)
            let text = failure?.description ?? ""
            XCTAssertTrue(text.hasPrefix("\(fake) did not come up on the DevTools pipe (browser gone)"), text)
            XCTAssertTrue(text.contains("exited with status 3"), text)
            XCTAssertTrue(text.contains("Missing X server or $DISPLAY"), text)
            XCTAssertTrue(
                text.hasSuffix(
                    "To see it fail by hand: \(fake) --headless --no-sandbox --disable-gpu --dump-dom about:blank"),
                text)
        }
    }

    /// Every process whose group is `group`, zombies included: a zombie still holds its
    /// pid until someone reaps it.
    private func members(of group: pid_t) -> [ProcessTree.Entry] {
        ProcessTree.snapshot().filter { $0.processGroup == group }
    }
}
