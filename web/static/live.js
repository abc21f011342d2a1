// The one websocket client of the pages (the board and "Le mie attività"): /ws/board, resumed from the
// last sequence number seen, batch frames unpacked in order, pings answered, jittered exponential
// backoff, a silent socket treated as dead, and a "stale" banner while the page is not live.
//
//   const live = CentraleLive.connect({
//     after: 42,                  // the seq the page already reflects (null: ask for a snapshot)
//     onEvent: (e) => {},         // one outbox event ({seq, kind, payload, personal, alert, ...})
//     onSnapshot: (m) => {},      // a snapshot (when connecting without `after`, or after a resync)
//     onResync: (m) => {},        // the server cannot replay from `after`: a snapshot follows
//     onState: (state) => {},     // "connecting" | "connected" | "disconnected"
//     banner: element,            // shown (hidden = false) whenever the page is not live
//   });
//   live.seq   // the last sequence number seen
//   live.close()
(() => {
  "use strict";
  const SILENCE_MS = 45000; // no message (not even a ping) for this long: the connection is dead

  function socketUrl(path, after) {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    return `${scheme}//${location.host}${path}` + (after === null || after === undefined ? "" : `?after=${after}`);
  }

  function connect(options) {
    const o = Object.assign({ path: "/ws/board", after: null, maxDelayMs: 15000, silenceMs: SILENCE_MS }, options);
    const noop = () => {};
    const onEvent = o.onEvent || noop;
    const state = { seq: o.after, ws: null, attempt: 0, lastMessage: 0, retry: null, closed: false, current: null };

    function setState(name) {
      if (state.current === name) return;
      state.current = name;
      if (o.banner) o.banner.hidden = name === "connected";
      document.body.classList.toggle("is-stale", name !== "connected");
      document.body.dataset.live = name;
      (o.onState || noop)(name);
    }

    function live() {
      state.attempt = 0;
      setState("connected");
    }

    function event(e) {
      if (typeof e.seq === "number") {
        if (state.seq !== null && e.seq <= state.seq) return; // already seen (a replay overlapping the page)
        state.seq = e.seq;
      }
      onEvent(e);
    }

    function handle(m) {
      switch (m.type) {
        case "snapshot":
          state.seq = m.seq;
          (o.onSnapshot || noop)(m);
          live();
          break;
        case "replay": // what was missed follows, then live events
          live();
          break;
        case "resync": // too far behind: a fresh snapshot follows on this connection
          state.seq = null;
          (o.onResync || noop)(m);
          break;
        case "ping":
          if (state.ws && state.ws.readyState === WebSocket.OPEN) state.ws.send(JSON.stringify({ type: "pong", seq: state.seq }));
          break;
        case "event":
          event(m);
          break;
        case "batch": // several events in one frame, in order
          for (const e of m.events) event(e);
          break;
      }
    }

    function open() {
      clearTimeout(state.retry);
      if (state.closed) return;
      setState(state.attempt === 0 && state.current === null ? "connecting" : "disconnected");
      let ws;
      try {
        ws = new WebSocket(socketUrl(o.path, state.seq));
      } catch (err) {
        retry();
        return;
      }
      state.ws = ws;
      ws.onmessage = (msg) => {
        state.lastMessage = Date.now();
        let m;
        try { m = JSON.parse(msg.data); } catch (err) { return; }
        handle(m);
      };
      ws.onclose = () => {
        if (state.ws !== ws) return;
        state.ws = null;
        setState("disconnected");
        retry();
      };
    }

    function retry() {
      if (state.closed) return;
      // jittered exponential backoff: 0.5 s, 1 s, 2 s ... capped, each between half and all of it
      const base = Math.min(o.maxDelayMs, 500 * 2 ** state.attempt);
      state.attempt += 1;
      state.retry = setTimeout(open, base / 2 + Math.random() * (base / 2));
    }

    const watchdog = setInterval(() => { // a silent socket (phone asleep, proxy gone) is a dead one
      const ws = state.ws;
      if (ws && ws.readyState === WebSocket.OPEN && Date.now() - state.lastMessage > o.silenceMs) ws.close();
    }, 5000);

    open();
    return {
      get seq() { return state.seq; },
      get state() { return state.current; },
      close() {
        state.closed = true;
        clearTimeout(state.retry);
        clearInterval(watchdog);
        if (state.ws) state.ws.close();
      },
    };
  }

  window.CentraleLive = { connect };
})();
