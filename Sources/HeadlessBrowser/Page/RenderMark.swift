/// The script behind ``BrowserPage/millisecondsUntil(_:afterNavigatingTo:timeout:)``: installed
/// with `Page.addScriptToEvaluateOnNewDocument`, so it runs in the new document before any of
/// the page's own scripts, and records `performance.now()` the first time `expression` is
/// truthy.
///
/// `performance.now()` counts from the document's time origin, which for a navigation is its
/// start (before the request is sent), so the mark includes loading the HTML, running the
/// page's scripts and any fetches they wait for. The expression is checked after every batch of
/// DOM mutations (a `MutationObserver`, which fires right after the script that changed the
/// DOM), at DOMContentLoaded and load, and every 5 ms in between (for conditions that are not
/// DOM changes). It measures when the DOM was ready, not when its pixels were painted: layout
/// and paint of that DOM come after the mark.
enum RenderMark {
    /// Where the mark is kept in the page (milliseconds, a number once set).
    static let variable = "window.__headlessBrowserRenderMark"

    static func script(for expression: String) -> String {
        """
        (() => {
          if (window.top !== window) return;
          const check = () => { try { return !!(\(expression)); } catch (error) { return false; } };
          let observer = null;
          const mark = () => {
            if (\(variable) !== undefined) return true;
            if (!check()) return false;
            \(variable) = performance.now();
            if (observer) observer.disconnect();
            return true;
          };
          observer = new MutationObserver(mark);
          observer.observe(document, { childList: true, subtree: true, attributes: true, characterData: true });
          document.addEventListener('DOMContentLoaded', mark);
          window.addEventListener('load', mark);
          const poll = () => { if (!mark()) setTimeout(poll, 5); };
          poll();
        })();
        """
    }
}
