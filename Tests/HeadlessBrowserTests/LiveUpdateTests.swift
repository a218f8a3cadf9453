import FleetCore
import HeadlessBrowser
import Synchronization
import XCTest

/// The dashboard's situation end to end, on a tiny page served by FleetCore's HTTPServer: the
/// page's script (a file: the server's CSP allows no inline script) polls `/api/state` and
/// updates the DOM, the test changes the state and waits for the page to show it.
final class LiveUpdateTests: XCTestCase {
    override class func tearDown() {
        SharedBrowser.close()
        super.tearDown()
    }

    func testThePageFollowsTheServersStateWithoutReloadingAndReportsBlockedInlineScript() throws {
        let count = Atomic<Int>(1)
        let server = try HTTPServer.listen(port: 0)
        let serving = server.start(workers: 4) { request in
            switch request.path {
            case "/":
                return .html(
                    """
                    <!doctype html><title>fleet</title>
                    <p>hosts up: <span id='count'>?</span></p>
                    <script src='/app.js'></script>
                    <script>window.__inline = 'ran';</script>
                    """)
            case "/app.js":
                return .javascript(
                    """
                    window.__load = Math.random();
                    async function refresh() {
                      const state = await (await fetch('/api/state')).json();
                      document.getElementById('count').textContent = String(state.count);
                    }
                    refresh();
                    setInterval(refresh, 100);
                    """)
            case "/api/state":
                return .json(Array("{\"count\": \(count.load(ordering: .acquiring))}".utf8))
            default:
                return .notFound(tryPaths: "/")
            }
        }
        defer { serving.stop() }
        let page = try SharedBrowser.get().open("http://127.0.0.1:\(server.port)/")
        defer { page.close() }

        try page.waitUntil("document.getElementById('count').textContent === '1'")
        let load = try page.evaluate("window.__load")
        count.store(2, ordering: .releasing)
        try page.waitUntil("document.getElementById('count').textContent === '2'")

        XCTAssertEqual(try page.evaluate("window.__load"), load, "the page reloaded instead of updating in place")
        XCTAssertEqual(try page.evaluate("window.__inline === undefined"), true)
        XCTAssertTrue(
            page.messages.contains {
                $0.hasPrefix("error: Executing inline script violates the following Content Security Policy directive")
            },
            "\(page.messages)")
    }
}
