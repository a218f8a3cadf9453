import HeadlessBrowser
import Synchronization
import TestSupport

/// One chromium for all the page tests in this process (launching costs about a second; a tab
/// costs milliseconds). Closed by the last test class's `tearDown`, or by the process's exit,
/// which closes the DevTools pipe and makes chromium quit.
enum SharedBrowser {
    static let windowWidth = 800
    static let windowHeight = 600

    private static let browser = Mutex<HeadlessBrowser?>(nil)

    static func get() throws -> HeadlessBrowser {
        try browser.withLock { browser in
            if let browser { return browser }
            let launched = try launchOrExplain(windowWidth: windowWidth, windowHeight: windowHeight)
            browser = launched
            return launched
        }
    }

    static func close() {
        let closing = browser.withLock { browser in
            defer { browser = nil }
            return browser
        }
        closing?.close()
    }

    /// Launches chromium; when it is not installed the test fails (never skips) with the
    /// install command.
    static func launchOrExplain(windowWidth: Int = 800, windowHeight: Int = 600) throws -> HeadlessBrowser {
        do {
            return try HeadlessBrowser.launch(windowWidth: windowWidth, windowHeight: windowHeight)
        } catch let error as BrowserError where error.code == .notInstalled {
            throw MissingPrerequisite(error.description)
        }
    }
}

/// A `data:` URL holding `html`, so a page test needs no server.
func dataURL(_ html: String) -> String {
    let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)
    var encoded = "data:text/html;charset=utf-8,"
    for byte in html.utf8 {
        if unreserved.contains(byte) {
            encoded.unicodeScalars.append(Unicode.Scalar(byte))
        } else {
            let hex = String(byte, radix: 16, uppercase: true)
            encoded += "%" + (hex.count == 1 ? "0" + hex : hex)
        }
    }
    return encoded
}
