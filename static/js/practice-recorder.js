// Recording an answer aloud, section marks and the section clock; chapter buttons on review.
// Loaded with `defer`; no inline scripts (the CSP forbids them).
//
// The running panel renders an element with `data-recorder`:
//   data-open-url      POST here to open the answer's recording (JSON: uuid, segment,
//                      chunk_url, mark_url, close_url, recorded_ms, max_ms, marks)
//   data-resume        present when the server already holds an open recording (a reload)
//   data-started-at-ms / data-server-now-ms  the server's clock, for marks without audio
// Start asks for the microphone (in the click, so the browser may prompt); when the
// running panel arrives the recorder opens the recording and sends a chunk every
// few seconds. Done waits for the last chunk before the form is sent; the server
// closes the recording. Without a microphone the page says so and the clock and the
// section marks still work (marks are then kept on this page only).
(() => {
  "use strict";

  const TIMESLICE_MS = 3000;
  const RETRIES = 4;
  const FLUSH_TIMEOUT_MS = 15000;
  const TYPES = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/mp4", "audio/webm"];
  const KEYS = { s: "situation", t: "task", a: "action", r: "result", l: "learning" };
  const AMBER_SHARE = 0.8; // the section clock turns amber at 80% of its share

  let pendingStream = null; // the microphone asked for by the Start click
  let active = null; // the recorder of the running panel on screen

  function canRecord() {
    return Boolean(
      window.isSecureContext &&
        navigator.mediaDevices &&
        navigator.mediaDevices.getUserMedia &&
        window.MediaRecorder,
    );
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function post(url, body, contentType) {
    const headers = { "X-CSRFToken": csrfToken(), Accept: "application/json" };
    if (contentType) headers["Content-Type"] = contentType;
    return fetch(url, { method: "POST", body, headers, credentials: "same-origin" });
  }

  async function message(response) {
    try {
      return (await response.json()).error || `The server answered ${response.status}.`;
    } catch (error) {
      return `The server answered ${response.status}.`;
    }
  }

  function mmss(totalSeconds) {
    const seconds = Math.max(0, Math.floor(totalSeconds));
    return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
  }

  function micProblem(error) {
    const name = error && error.name;
    if (name === "NotAllowedError" || name === "SecurityError") {
      return "The microphone is blocked for this site, so this answer is not recorded. Allow it in the browser's address bar and press Record; the clock keeps running either way.";
    }
    if (name === "NotFoundError" || name === "OverconstrainedError") {
      return "No microphone was found, so this answer is not recorded. The clock keeps running.";
    }
    return "The microphone could not be started, so this answer is not recorded. The clock keeps running.";
  }

  function askMicrophone() {
    if (!canRecord()) return null;
    const request = navigator.mediaDevices.getUserMedia({ audio: true });
    request.catch(() => {}); // handled where it is awaited
    return request;
  }

  class Recorder {
    constructor(root) {
      this.root = root;
      this.status = root.querySelector("[data-recorder-status]");
      this.recordButton = root.querySelector("[data-recorder-record]");
      this.clock = root.querySelector("[data-section-clock]");
      this.buttons = Array.from(root.querySelectorAll("[data-mark]"));
      this.startedAt = Number(root.dataset.startedAtMs);
      const serverNow = Number(root.dataset.serverNowMs);
      this.skew = Number.isFinite(serverNow) ? serverNow - Date.now() : 0;
      this.maxMs = Number(root.dataset.maxMs) || 15 * 60 * 1000;
      this.marks = [];
      this.opened = null;
      this.media = null;
      this.stream = null;
      this.sequence = 0;
      this.baseMs = 0;
      this.t0 = 0;
      this.uploads = Promise.resolve();
      this.stopped = false;
      this.chunksSent = 0;
      this.buttons.forEach((button) =>
        button.addEventListener("click", () => this.mark(button.dataset.mark)),
      );
      if (this.recordButton) {
        this.recordButton.addEventListener("click", () => {
          this.recordButton.hidden = true;
          this.begin(askMicrophone());
        });
      }
      this.ticker = window.setInterval(() => this.tick(), 500);
      root.dataset.recorderState = "idle";
    }

    say(text) {
      if (this.status) this.status.textContent = text;
    }

    recording() {
      return this.media !== null && this.media.state === "recording";
    }

    // Milliseconds of audio recorded so far, by the recorder's own clock (or, with no
    // recording, the answer's time by the server's clock).
    nowMs() {
      if (this.recording()) return this.baseMs + Math.round(performance.now() - this.t0);
      if (this.opened) return this.baseMs;
      return Math.max(0, Date.now() + this.skew - this.startedAt);
    }

    async begin(streamRequest) {
      if (!canRecord()) {
        this.say(
          "This browser cannot record audio here, so this answer is not recorded. The clock and the section marks still work.",
        );
        this.root.dataset.recorderState = "unsupported";
        return;
      }
      if (!this.opened && !("resume" in this.root.dataset)) this.say("Asking for the microphone…");
      try {
        this.stream = await (streamRequest || askMicrophone());
      } catch (error) {
        this.say(micProblem(error));
        this.root.dataset.recorderState = "no-microphone";
        if (this.recordButton) this.recordButton.hidden = false;
        return;
      }
      if (!this.root.isConnected) return this.release();
      const type = TYPES.find((candidate) => MediaRecorder.isTypeSupported(candidate)) || "";
      try {
        this.media = new MediaRecorder(this.stream, type ? { mimeType: type } : undefined);
      } catch (error) {
        this.release();
        this.say("This browser cannot record in a format Story Bank keeps; the clock still works.");
        return;
      }
      const form = new FormData();
      form.append("mime_type", this.media.mimeType || type || "audio/webm");
      const response = await post(this.root.dataset.openUrl, form).catch(() => null);
      if (!response || !response.ok) {
        this.release();
        this.say(
          response ? await message(response) : "The recording could not be started: no connection.",
        );
        return;
      }
      this.opened = await response.json();
      this.baseMs = this.opened.recorded_ms || 0;
      this.maxMs = this.opened.max_ms || this.maxMs;
      if (this.opened.marks && this.opened.marks.length) {
        this.marks = this.opened.marks.map((m) => ({ section: m.section, at: m.at_ms }));
      }
      this.media.addEventListener("dataavailable", (event) => this.send(event.data));
      this.media.start(TIMESLICE_MS);
      this.t0 = performance.now();
      this.root.dataset.recorderState = "recording";
      this.say(
        this.opened.segment > 0
          ? "Recording again after the reload: what you said before is kept."
          : "Recording. Tap S, T, A, R, L as you move through your story.",
      );
      this.root.dataset.recordingUuid = this.opened.uuid;
    }

    send(blob) {
      if (!blob || !blob.size || !this.opened) return;
      const sequence = this.sequence++;
      const recordedMs = this.nowMs();
      const url = `${this.opened.chunk_url}${sequence}/?recorded_ms=${recordedMs}`;
      this.uploads = this.uploads.then(() => this.upload(url, blob));
    }

    async upload(url, blob) {
      if (this.stopped && this.refused) return;
      for (let attempt = 0; attempt <= RETRIES; attempt += 1) {
        const response = await post(url, blob, blob.type || "application/octet-stream").catch(
          () => null,
        );
        if (response && response.ok) {
          this.chunksSent += 1;
          this.root.dataset.chunksSent = String(this.chunksSent);
          return;
        }
        if (response && response.status < 500) {
          // Refused for good (a limit, or closed): stop, keep what was sent, say why.
          this.refused = true;
          this.say(await message(response));
          this.stop();
          return;
        }
        await new Promise((resolve) => window.setTimeout(resolve, 500 * 2 ** attempt));
      }
      this.say("A few seconds of audio could not be uploaded; recording goes on.");
    }

    // Stop the recorder; resolves once the last chunk has been sent (or given up on).
    stop() {
      if (this.stopped) return this.uploads;
      this.stopped = true;
      const media = this.media;
      const finished = new Promise((resolve) => {
        if (!media || media.state === "inactive") return resolve();
        media.addEventListener("stop", () => resolve(), { once: true });
        media.stop();
      });
      return finished.then(() => {
        this.baseMs = this.nowMs();
        this.release();
        return this.uploads;
      });
    }

    release() {
      if (this.stream) this.stream.getTracks().forEach((track) => track.stop());
      this.stream = null;
    }

    mark(section) {
      if (!section) return;
      const at = this.nowMs();
      this.marks.push({ section, at });
      this.tick();
      if (this.opened && !this.stopped) {
        const form = new FormData();
        form.append("section", section);
        form.append("at_ms", String(at));
        post(this.opened.mark_url, form).catch(() => {});
      }
    }

    tick() {
      if (!this.root.isConnected) {
        window.clearInterval(this.ticker);
        if (active === this) {
          this.stop();
          active = null;
        }
        return;
      }
      if (this.recording() && this.nowMs() >= this.maxMs) {
        this.stop();
        this.say("The recording stopped at 15 minutes, the longest it can be; what you said is kept.");
      }
      if (!this.marks.length || !this.clock) return;
      const now = this.nowMs();
      const last = this.marks[this.marks.length - 1];
      const button = this.buttons.find((b) => b.dataset.mark === last.section);
      if (!button) return;
      const part = button.dataset.part;
      const share = Number(button.dataset.shareSeconds) || 0;
      // Time spent in the current part of the budget: every stretch between a mark of
      // that part and the mark after it.
      let spentMs = 0;
      this.marks.forEach((mark, index) => {
        const markButton = this.buttons.find((b) => b.dataset.mark === mark.section);
        if (!markButton || markButton.dataset.part !== part) return;
        const next = this.marks[index + 1];
        spentMs += Math.max(0, (next ? next.at : now) - mark.at);
      });
      const seconds = spentMs / 1000;
      const state = seconds > share ? "red" : seconds >= share * AMBER_SHARE ? "amber" : "under";
      this.clock.querySelector("[data-section-current]").textContent = button.dataset.label;
      this.clock.querySelector("[data-section-time]").textContent =
        ` · ${mmss(seconds)} of ${mmss(share)}`;
      ["under", "amber", "red"].forEach((name) =>
        this.clock.classList.toggle(`section-${name}`, name === state),
      );
      this.clock.dataset.section = last.section;
      this.clock.dataset.state = state;
      this.buttons.forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
    }
  }

  function setUp(scope) {
    const base = scope && scope.querySelectorAll ? scope : document;
    const roots = base.matches && base.matches("[data-recorder]") ? [base] : [];
    roots.push(...base.querySelectorAll("[data-recorder]"));
    roots.forEach((root) => {
      if (root.dataset.recorderReady) return;
      root.dataset.recorderReady = "true";
      if (active && active.root !== root) active.stop();
      active = new Recorder(root);
      if (!canRecord()) {
        active.begin(null);
      } else if (pendingStream) {
        const request = pendingStream;
        pendingStream = null;
        active.begin(request);
      } else if ("resume" in root.dataset) {
        active.begin(askMicrophone());
      } else if (active.recordButton) {
        active.recordButton.hidden = false;
        active.say("Press Record to record this answer; the clock runs either way.");
      }
    });
  }

  // Start: ask for the microphone within the click, before the running panel arrives.
  document.addEventListener(
    "submit",
    (event) => {
      if (event.target.matches && event.target.matches("form[data-recorder-start]")) {
        pendingStream = askMicrophone();
      }
    },
    true,
  );

  // Done: stop the recorder and send the last chunk before the form goes.
  document.addEventListener("htmx:confirm", (event) => {
    const form = event.target.closest && event.target.closest("form");
    if (!form || !form.querySelector("[data-recorder-done]") || !active || !active.opened) return;
    if (active.stopped && active.flushed) return;
    event.preventDefault();
    const recorder = active;
    const timeout = new Promise((resolve) => window.setTimeout(resolve, FLUSH_TIMEOUT_MS));
    recorder.say("Saving the last seconds of audio…");
    Promise.race([recorder.stop(), timeout]).then(() => {
      recorder.flushed = true;
      event.detail.issueRequest(true);
    });
  });

  // Keys S T A R L mark the sections, unless the user is typing.
  document.addEventListener("keydown", (event) => {
    if (!active || !active.root.isConnected) return;
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    const target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) {
      return;
    }
    const section = KEYS[event.key.toLowerCase()];
    if (section) {
      event.preventDefault();
      active.mark(section);
    }
  });

  // Review: a chapter button seeks the player to its section.
  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest("[data-seek-to]");
    if (!button) return;
    const review = button.closest(".recording-review");
    const player = review && review.querySelector("audio[data-recording-player]");
    if (!player) return;
    player.currentTime = Number(button.dataset.seekTo) || 0;
    player.play().catch(() => {});
  });

  document.addEventListener("htmx:load", (event) => setUp(event.detail && event.detail.elt));
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => setUp(document));
  } else {
    setUp(document);
  }
})();
