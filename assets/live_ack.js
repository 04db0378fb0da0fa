// Live updates with backpressure: once the page has applied a live update (the hidden #live-seq marker of the
// layout carries its number), tell the tab's listener, which sends the next update only then (state/live/hub.py).
// The acknowledgement leaves as soon as React has committed the update to the page: the frame that paints it follows
// while the request travels and the listener prepares the next update, so at most that one paint is pending when the
// next update arrives (waiting for the paint first put a frame and a task of delay into every update's cycle).
(function () {
  if (window.__piLiveAck) return;
  window.__piLiveAck = true;
  function ack(el) {
    var seq = parseInt(el.getAttribute("data-seq"), 10);
    var token = el.getAttribute("data-token");
    if (!token || !(seq > 0)) return;
    fetch("/_live/ack", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ token: token, seq: seq }),
      credentials: "same-origin",
      keepalive: true,
    }).catch(function () {});
  }
  new MutationObserver(function (changes) {
    for (var i = 0; i < changes.length; i++) {
      if (changes[i].target.id === "live-seq") ack(changes[i].target);
    }
  }).observe(document.documentElement, { subtree: true, attributes: true, attributeFilter: ["data-seq"] });
})();
