import FleetCore
import XCTest

@testable import HeadlessBrowser

/// The events below are abridged from what chromium 156 sends.
final class PageMessageTests: XCTestCase {
    func testConsoleCallsKeepTheirTypeAndJoinTheirArguments() throws {
        let params = try JSONParser.strict.parse(
            """
            {"type": "log", "args": [{"type": "string", "value": "rows:"}, {"type": "number", "value": 3, "description": "3"},
             {"type": "object", "className": "Object", "description": "Object", "objectId": "1.2.3"},
             {"type": "undefined"}, {"type": "number", "unserializableValue": "NaN", "description": "NaN"}],
             "executionContextId": 2}
            """)
        XCTAssertEqual(
            PageMessage.line(method: "Runtime.consoleAPICalled", params: params), "log: rows: 3 Object undefined NaN")

        let warning = try JSONParser.strict.parse(
            #"{"type": "warning", "args": [{"type": "string", "value": "slow"}]}"#)
        XCTAssertEqual(PageMessage.line(method: "Runtime.consoleAPICalled", params: warning), "warning: slow")
    }

    func testUncaughtExceptionsShowTheMessageAndWhereNotTheStack() throws {
        let thrown = try JSONParser.strict.parse(
            """
            {"exceptionDetails": {"text": "Uncaught", "lineNumber": 11, "columnNumber": 4, "url": "http://127.0.0.1:8080/app.js",
             "exception": {"type": "object", "subtype": "error", "description": "Error: render failed\\n    at refresh (app.js:12:5)"}}}
            """)
        XCTAssertEqual(
            PageMessage.line(method: "Runtime.exceptionThrown", params: thrown),
            "exception: Uncaught Error: render failed (at http://127.0.0.1:8080/app.js:12:5)")

        let rejected = try JSONParser.strict.parse(
            """
            {"exceptionDetails": {"text": "Uncaught (in promise) TypeError: nope", "lineNumber": 1, "columnNumber": 16,
             "exception": {"type": "object", "subtype": "error", "description": "TypeError: nope\\n    at <anonymous>:1:16"}}}
            """)
        XCTAssertEqual(
            PageMessage.line(method: "Runtime.exceptionThrown", params: rejected),
            "exception: Uncaught (in promise) TypeError: nope")

        let thrownString = try JSONParser.strict.parse(
            #"{"exceptionDetails": {"text": "Uncaught", "exception": {"type": "string", "value": "plain"}}}"#)
        XCTAssertEqual(
            PageMessage.line(method: "Runtime.exceptionThrown", params: thrownString), #"exception: Uncaught "plain""#)
    }

    /// CSP violations come from the browser's log (`Log.entryAdded`, source `security`), not from
    /// the console API.
    func testLogEntriesCarryTheirLevelAndURL() throws {
        let violation = try JSONParser.strict.parse(
            """
            {"entry": {"source": "security", "level": "error", "url": "http://127.0.0.1:8080/",
             "text": "Executing inline script violates the following Content Security Policy directive 'script-src 'self''. The action has been blocked."}}
            """)
        XCTAssertEqual(
            PageMessage.line(method: "Log.entryAdded", params: violation),
            "error: Executing inline script violates the following Content Security Policy directive 'script-src 'self''. "
                + "The action has been blocked. (http://127.0.0.1:8080/)")

        let fromDataURL = try JSONParser.strict.parse(
            #"{"entry": {"source": "network", "level": "error", "url": "data:text/html,x", "text": "Failed to load resource"}}"#
        )
        XCTAssertEqual(
            PageMessage.line(method: "Log.entryAdded", params: fromDataURL), "error: Failed to load resource")
    }

    func testOtherEventsAreNotMessages() {
        XCTAssertNil(PageMessage.line(method: "Page.loadEventFired", params: ["timestamp": 1.5]))
    }
}
