// The practice clock. Loaded with `defer`; no inline scripts (the CSP forbids them).
//
// The server renders, on an element with `data-practice-timer`:
//   data-started-at-ms  the instant the server recorded for Start (epoch milliseconds)
//   data-server-now-ms  the server's clock when it rendered the page
//   data-band-min / data-band-max  the target band, in seconds
// Elapsed time is measured from the server's start instant, corrected by the
// difference between the server's clock and this browser's, so a reload (or a
// browser clock that is off) shows the same time the server will record.
// The display is under / amber (inside the band) / red (past its end) and keeps
// counting over time. Screen readers hear only the changes of state.
(() => {
  "use strict";

  const STATES = ["under", "amber", "red"];

  function mmss(totalSeconds) {
    const seconds = Math.max(0, Math.floor(totalSeconds));
    const minutes = Math.floor(seconds / 60);
    return `${minutes}:${String(seconds % 60).padStart(2, "0")}`;
  }

  function stateFor(seconds, bandMin, bandMax) {
    if (seconds > bandMax) return "red";
    if (seconds >= bandMin) return "amber";
    return "under";
  }

  function countdownText(seconds, bandMin, bandMax) {
    if (seconds < bandMin) {
      return `${mmss(bandMin - seconds)} until the band (${mmss(bandMin)}–${mmss(bandMax)})`;
    }
    if (seconds <= bandMax) {
      return `Inside the band: ${mmss(bandMax - seconds)} left`;
    }
    return `Over the band by ${mmss(seconds - bandMax)}: wrap up`;
  }

  const ANNOUNCEMENTS = {
    amber: "You are inside the target band.",
    red: "You are past the end of the target band.",
  };

  function start(root) {
    if (root.dataset.timerReady) return;
    const startedAt = Number(root.dataset.startedAtMs);
    const serverNow = Number(root.dataset.serverNowMs);
    const bandMin = Number(root.dataset.bandMin);
    const bandMax = Number(root.dataset.bandMax);
    if (!Number.isFinite(startedAt) || !Number.isFinite(bandMin) || !Number.isFinite(bandMax)) {
      return;
    }
    root.dataset.timerReady = "true";
    const skew = Number.isFinite(serverNow) ? serverNow - Date.now() : 0;
    const display = root.querySelector("[data-timer-display]");
    const countdown = root.querySelector("[data-timer-countdown]");
    const announce = root.querySelector("[data-timer-announce]");
    let shown = null;

    function tick() {
      if (!root.isConnected) {
        window.clearInterval(timer);
        return;
      }
      // Whole seconds, truncated as the server counts them, so the colour on
      // screen and the band verdict recorded at Done agree.
      const seconds = Math.max(0, Math.floor((Date.now() + skew - startedAt) / 1000));
      const state = stateFor(seconds, bandMin, bandMax);
      if (display) {
        display.textContent = mmss(seconds);
        STATES.forEach((name) => display.classList.toggle(`timer-${name}`, name === state));
      }
      if (countdown) countdown.textContent = countdownText(seconds, bandMin, bandMax);
      root.dataset.timerState = state;
      // Announce a change of state, not the initial one and not every second.
      if (shown !== null && state !== shown && announce && ANNOUNCEMENTS[state]) {
        announce.textContent = ANNOUNCEMENTS[state];
      }
      shown = state;
    }

    const timer = window.setInterval(tick, 250);
    tick();
  }

  function startAll(scope) {
    const base = scope && scope.querySelectorAll ? scope : document;
    if (base.matches && base.matches("[data-practice-timer]")) start(base);
    base.querySelectorAll("[data-practice-timer]").forEach(start);
  }

  // htmx fires htmx:load for the page and for every fragment it swaps in.
  document.addEventListener("htmx:load", (event) => startAll(event.detail && event.detail.elt));
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => startAll(document));
  } else {
    startAll(document);
  }
})();
