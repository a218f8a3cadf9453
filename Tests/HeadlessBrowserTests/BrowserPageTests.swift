import FleetCore
import Foundation
import HeadlessBrowser
import XCTest

/// The page API against a real chromium (one shared browser, a new tab per test).
final class BrowserPageTests: XCTestCase {
    override class func tearDown() {
        SharedBrowser.close()
        super.tearDown()
    }

    private func open(_ html: String) throws -> BrowserPage {
        try SharedBrowser.get().open(dataURL(html))
    }

    func testEvaluateReturnsValuesAndReportsThrownErrors() throws {
        let page = try open("<p id='greeting'>hello</p>")
        defer { page.close() }

        XCTAssertEqual(try page.evaluate("1 + 2"), 3)
        XCTAssertEqual(try page.evaluate("0.5 * 3"), 1.5)
        XCTAssertEqual(try page.evaluate("document.getElementById('greeting').textContent"), "hello")
        XCTAssertEqual(
            try page.evaluate("({rows: [1, 2], name: 'a', ok: true, none: null})"),
            ["rows": [1, 2], "name": "a", "ok": true, "none": nil])
        XCTAssertEqual(try page.evaluate("undefined"), nil)
        XCTAssertEqual(try page.evaluate("new Promise(resolve => setTimeout(() => resolve('later'), 20))"), "later")

        XCTAssertThrowsError(try page.evaluate("throw new Error('boom')")) { error in
            let failure = error as? BrowserError
            XCTAssertEqual(failure?.code, .javaScript)
            XCTAssertTrue(failure?.description.contains("Uncaught Error: boom") ?? false, "\(error)")
        }
        XCTAssertThrowsError(try page.evaluate("Promise.reject(new TypeError('no such row'))")) { error in
            XCTAssertEqual((error as? BrowserError)?.code, .javaScript)
            XCTAssertTrue("\(error)".contains("TypeError: no such row"), "\(error)")
        }
        XCTAssertEqual(try page.evaluate("document.body"), [:], "a DOM node has no JSON form")
        XCTAssertThrowsError(try page.evaluate("window")) { error in
            XCTAssertEqual((error as? BrowserError)?.code, .protocolError)
            XCTAssertTrue(
                "\(error)".hasSuffix("return a value JSON can hold (read .textContent, build a plain object)"))
        }
        XCTAssertThrowsError(try page.evaluate("missingVariable.length")) { error in
            XCTAssertTrue("\(error)".contains("ReferenceError: missingVariable is not defined"), "\(error)")
        }
    }

    /// The dashboard's live update: the page's own script changes the DOM, and the same
    /// document is still loaded afterwards (a reload would draw a new `__load`).
    func testWaitUntilSeesAChangeMadeByThePageWithoutAReload() throws {
        let page = try open(
            """
            <p id='status'>waiting</p>
            <script>
              window.__load = Math.random();
              setTimeout(() => { document.getElementById('status').textContent = 'updated'; }, 300);
            </script>
            """)
        defer { page.close() }
        let load = try page.evaluate("window.__load")
        XCTAssertEqual(try page.evaluate("document.getElementById('status').textContent"), "waiting")

        try page.waitUntil("document.getElementById('status').textContent === 'updated'")

        XCTAssertEqual(try page.evaluate("window.__load"), load, "the page reloaded instead of updating in place")
    }

    func testWaitUntilTimesOutWithTheLastValueAndThePageMessages() throws {
        let page = try open("<script>console.warn('state fetch failed: 503')</script><p id='n'>7</p>")
        defer { page.close() }
        let started = ContinuousClock.now

        XCTAssertThrowsError(
            try page.waitUntil("Number(document.getElementById('n').textContent) - 7", timeout: .milliseconds(400))
        ) { error in
            let failure = error as? BrowserError
            XCTAssertEqual(failure?.code, .timedOut)
            XCTAssertTrue(failure?.description.contains("but its last value was 0") ?? false, "\(error)")
            XCTAssertTrue(failure?.description.contains("warning: state fetch failed: 503") ?? false, "\(error)")
        }
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(3))

        // An expression that throws until the element exists is "not yet", not a failure.
        _ = try page.evaluate(
            "setTimeout(() => document.body.append(Object.assign(document.createElement('i'), {id: 'late'})), 200)")
        try page.waitUntil("document.getElementById('late').id === 'late'", timeout: .seconds(5))
    }

    /// Console output, uncaught exceptions and CSP violations (which arrive as `Log.entryAdded`
    /// from the browser, not through the console API) in the order they happened.
    func testMessagesHoldConsoleExceptionsAndCSPViolationsInOrder() throws {
        let page = try open(
            """
            <meta http-equiv="Content-Security-Policy" content="script-src 'nonce-dashboard'">
            <script nonce="dashboard">console.log('rows:', 3); console.error('fetch failed');</script>
            <script>window.__inline = 'ran';</script>
            <script nonce="dashboard">setTimeout(() => { throw new Error('render failed'); }, 0);</script>
            """)
        defer { page.close() }

        try waitForMessage(on: page) { $0.hasPrefix("exception:") }

        XCTAssertEqual(
            try page.evaluate("window.__inline === undefined"), true, "the inline script ran despite the CSP")
        let messages = page.messages
        XCTAssertEqual(messages.count, 4, "\(messages)")
        XCTAssertEqual(messages.first, "log: rows: 3")
        XCTAssertEqual(messages.dropFirst().first, "error: fetch failed")
        let violation = messages.dropFirst(2).first ?? ""
        XCTAssertTrue(
            violation.hasPrefix(
                "error: Executing inline script violates the following Content Security Policy directive 'script-src 'nonce-dashboard''"
            ),
            violation)
        XCTAssertEqual(messages.last, "exception: Uncaught Error: render failed")
    }

    func testScreenshotIsAPNGOfTheWindowSizeOrTheWholePage() throws {
        let directory = try temporaryDirectory()
        let page = try open("<body style='margin:0;background:#1d4ed8'><h1 style='color:white'>fleet</h1></body>")
        defer { page.close() }

        try page.screenshot(to: directory + "/nested/short.png")
        let short = try PNGHeader(Array(Data(contentsOf: URL(fileURLWithPath: directory + "/nested/short.png"))))
        XCTAssertEqual(short, PNGHeader(width: SharedBrowser.windowWidth, height: SharedBrowser.windowHeight))

        try page.navigate(dataURL("<body style='margin:0'><div style='height:2000px;background:#16a34a'></div></body>"))
        try page.screenshot(to: directory + "/tall.png")
        try page.screenshot(to: directory + "/viewport.png", fullPage: false)
        let tall = try PNGHeader(Array(Data(contentsOf: URL(fileURLWithPath: directory + "/tall.png"))))
        let viewport = try PNGHeader(Array(Data(contentsOf: URL(fileURLWithPath: directory + "/viewport.png"))))
        XCTAssertEqual(tall, PNGHeader(width: SharedBrowser.windowWidth, height: 2000))
        XCTAssertEqual(viewport, PNGHeader(width: SharedBrowser.windowWidth, height: SharedBrowser.windowHeight))
    }

    func testDOMHasTheTextTheScriptAdded() throws {
        let page = try open(
            "<ul id='hosts'></ul><script>document.getElementById('hosts').innerHTML = '<li>web-1 &lt;ok&gt;</li>';</script>"
        )
        defer { page.close() }

        let html = try page.dom()

        XCTAssertTrue(html.hasPrefix("<html>"), html)
        XCTAssertTrue(html.contains("<ul id=\"hosts\"><li>web-1 &lt;ok&gt;</li></ul>"), html)
    }

    /// The benchmark's measurement: a page whose script builds 1,000 rows.
    func testMillisecondsUntilTimesTheRenderOfAThousandRows() throws {
        let page = try open("<p>blank</p>")
        defer { page.close() }
        let url = dataURL(
            """
            <table><tbody id='rows'></tbody></table>
            <script>
              document.addEventListener('DOMContentLoaded', () => {
                const body = document.getElementById('rows');
                for (let i = 0; i < 1000; i++) {
                  const row = body.insertRow();
                  row.insertCell().textContent = 'host-' + i;
                  row.insertCell().textContent = i % 7 === 0 ? 'stale' : 'ok';
                }
              });
            </script>
            """)

        let milliseconds = try page.millisecondsUntil(
            "document.querySelectorAll('#rows tr').length === 1000", afterNavigatingTo: url)

        XCTAssertGreaterThan(milliseconds, 0)
        XCTAssertLessThan(milliseconds, 30_000)
        let now = try XCTUnwrap(page.evaluate("performance.now()").doubleValue)
        XCTAssertLessThanOrEqual(milliseconds, now, "the mark is measured from this document's navigation start")
        XCTAssertEqual(try page.evaluate("document.querySelectorAll('#rows tr').length"), 1000)

        // The injected script is gone afterwards: the next document carries no mark.
        try page.navigate(dataURL("<p>next</p>"))
        XCTAssertEqual(try page.evaluate("window.__headlessBrowserRenderMark === undefined"), true)
    }

    func testAnUnreachableURLFailsTheNavigationClearly() throws {
        let page = try open("<p>start</p>")
        defer { page.close() }

        // A port that was free a moment ago: nothing listens there.
        let port = try HTTPServer.listen(port: 0).port
        XCTAssertThrowsError(try page.navigate("http://127.0.0.1:\(port)/")) { error in
            XCTAssertEqual((error as? BrowserError)?.code, .navigationFailed)
            XCTAssertTrue("\(error)".contains("net::ERR_CONNECTION_REFUSED"), "\(error)")
        }
    }

    /// Waits (up to 5 s) until the page has logged a line matching `condition`.
    private func waitForMessage(on page: BrowserPage, _ condition: (String) -> Bool) throws {
        let deadline = ContinuousClock.now + .seconds(5)
        while !page.messages.contains(where: condition) {
            guard ContinuousClock.now < deadline else {
                XCTFail("no such message within 5 s: \(page.messages)")
                return
            }
            SystemMonotonicClock().sleep(until: .now + .milliseconds(20))
        }
    }

    private func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "browser-page-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }
}
