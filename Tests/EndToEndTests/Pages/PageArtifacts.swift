import Foundation
import HeadlessBrowser
import TestSupport
import XCTest

/// Where the page tests keep what they saw: screenshots (and DOM dumps) under
/// `.build/artifacts/pages/` of the checkout, kept after the run for a human (or CI) to look
/// at; the ones docs/ shows are copied to `docs/images/` by the same run.
enum PageArtifacts {
    /// The checkout this test file belongs to.
    static let checkout: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().path
    }()

    static let directory = checkout + "/.build/artifacts/pages"

    /// Saves a screenshot `NAME.png` and the DOM `NAME.html`; with `docs`, also
    /// `docs/images/NAME.png`. Returns the screenshot's path.
    @discardableResult
    static func save(_ page: BrowserPage, as name: String, docs: Bool = false) throws -> String {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let png = directory + "/" + name + ".png"
        try page.screenshot(to: png)
        try page.dom().write(toFile: directory + "/" + name + ".html", atomically: true, encoding: .utf8)
        if docs {
            let images = checkout + "/docs/images"
            try FileManager.default.createDirectory(atPath: images, withIntermediateDirectories: true)
            let target = images + "/" + name + ".png"
            try? FileManager.default.removeItem(atPath: target)
            try FileManager.default.copyItem(atPath: png, toPath: target)
        }
        return png
    }

    /// Launches chromium; when it is not installed the test fails (never skips) with the
    /// install command.
    static func launchBrowser(width: Int = 1280, height: Int = 900) throws -> HeadlessBrowser {
        do {
            return try HeadlessBrowser.launch(windowWidth: width, windowHeight: height)
        } catch let error as BrowserError where error.code == .notInstalled {
            throw MissingPrerequisite(error.description)
        }
    }

    /// A server that never said where it listens.
    struct NoURL: Error, CustomStringConvertible {
        var description: String
    }

    /// The URL a program printed after `prefix` into the file `path` (its stderr): the server's
    /// readiness signal. Waits up to `timeout`; then throws with what the file holds.
    static func announcedURL(in path: String, after prefix: String, timeout: Duration = .seconds(20)) throws -> String {
        let deadline = ContinuousClock.now + timeout
        var text = ""
        while ContinuousClock.now < deadline {
            text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            if let start = text.range(of: prefix + "http://")?.lowerBound {
                return String(text[start...].dropFirst(prefix.count).prefix { $0 != " " && $0 != "\n" })
            }
            usleep(50_000)
        }
        throw NoURL(description: "no '\(prefix)http://...' in \(path) within \(timeout); it holds:\n\(text)")
    }

    /// The page's messages that show a problem: errors, exceptions, policy violations.
    static func problems(_ page: BrowserPage) -> [String] {
        page.messages.filter {
            $0.hasPrefix("error") || $0.hasPrefix("exception") || $0.contains("Content Security Policy")
                || $0.hasPrefix("warning")
        }
    }
}
