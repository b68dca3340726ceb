// Kith: progressive enhancement. Every action works without this script; with
// it, new posts, comments, messages and counts arrive live (/web/events) and
// likes and shares happen without leaving the page.
(function () {
  "use strict";

  function $(sel, root) { return (root || document).querySelector(sel); }
  function $all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
  function fromHtml(html) {
    var t = document.createElement("template");
    t.innerHTML = html.trim();
    return t.content.firstElementChild;
  }
  function announce(text) {
    var r = $("#live-region");
    if (r) { r.textContent = ""; window.setTimeout(function () { r.textContent = text; }, 50); }
  }
  function setBadge(name, n) {
    $all('[data-unread="' + name + '"]').forEach(function (b) {
      var label = b.querySelector(".sr");
      b.textContent = "";
      if (label) b.appendChild(label);
      b.appendChild(document.createTextNode(String(n)));
      b.hidden = !n;
    });
  }
  function setCounts(id, counts) {
    $all('[data-id="' + id + '"]').forEach(function (post) {
      Object.keys(counts).forEach(function (k) {
        var el = post.querySelector('[data-count="' + k + '"]');
        if (el) el.textContent = String(counts[k]);
      });
    });
  }

  // Likes and shares in place.
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (form.matches("form[data-confirm]") && !window.confirm(form.textContent.trim() + "?")) {
      ev.preventDefault();
      return;
    }
    var kind = form.getAttribute("data-toggle");
    if (!kind || !window.fetch) return;
    ev.preventDefault();
    var button = form.querySelector("button");
    if (button) button.disabled = true;
    fetch(form.action, {
      method: "POST",
      headers: { "Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(new FormData(form)).toString(),
      credentials: "same-origin"
    }).then(function (r) {
      if (!r.ok) throw new Error(String(r.status));
      return r.json();
    }).then(function (s) {
      var on = kind === "favourite" ? s.favourited : s.reblogged;
      var id = form.closest("[data-id]").getAttribute("data-id");
      $all('[data-id="' + id + '"] form[data-toggle="' + kind + '"]').forEach(function (f) {
        f.action = "/web/statuses/" + id + "/" + (on ? "un" : "") + kind;
        var b = f.querySelector("button");
        if (b) b.setAttribute("aria-pressed", on ? "true" : "false");
      });
      setCounts(id, { favourites: s.favourites_count, reblogs: s.reblogs_count, replies: s.replies_count });
    }).catch(function () {
      form.submit();
    }).then(function () {
      if (button) button.disabled = false;
    });
  });

  // Character counter on composers.
  document.addEventListener("input", function (ev) {
    var ta = ev.target;
    if (!ta.matches || !ta.matches("textarea[data-max]")) return;
    var max = parseInt(ta.getAttribute("data-max"), 10);
    var counter = ta.form && ta.form.querySelector(".counter");
    if (!counter || !max) return;
    var left = max - ta.value.length;
    counter.textContent = String(left);
    counter.classList.toggle("over", left < 0);
  });

  // Picture previews in the profile editor.
  document.addEventListener("change", function (ev) {
    var input = ev.target;
    var target = input.getAttribute && input.getAttribute("data-preview");
    if (!target || !input.files || !input.files[0]) return;
    var img = document.getElementById(target);
    if (img) img.src = URL.createObjectURL(input.files[0]);
  });

  function scrollChat() {
    var list = $("#messages");
    if (list) list.scrollTop = list.scrollHeight;
  }

  function onStatus(d) {
    if ($("#s-" + d.shown_id)) return;
    var feed = $('#feed[data-feed="home"]');
    if (feed) {
      var empty = $(".empty", feed);
      if (empty) empty.remove();
      var el = fromHtml(d.html);
      el.classList.add("fresh");
      feed.insertBefore(el, feed.firstChild);
      announce("1 " + (document.documentElement.lang === "en" ? "new post" : ""));
      return;
    }
    var list = d.in_reply_to_id && $('[data-comments]');
    var parent = d.in_reply_to_id && $("#s-" + d.in_reply_to_id);
    if (list && parent) {
      var c = fromHtml(d.html);
      var depth = 0;
      var m = /depth-(\d)/.exec(parent.className);
      if (m && parent.closest("[data-comments]")) depth = parseInt(m[1], 10) + 1;
      c.classList.remove("depth-0");
      c.classList.add("depth-" + Math.min(depth, 4), "fresh");
      // After the parent's last descendant shown so far, or at the end.
      if (parent.closest("[data-comments]")) {
        var next = parent.nextElementSibling;
        while (next && /depth-(\d)/.exec(next.className) && parseInt(/depth-(\d)/.exec(next.className)[1], 10) > depth - 1) {
          next = next.nextElementSibling;
        }
        list.insertBefore(c, next);
      } else {
        list.appendChild(c);
      }
      var rc = parent.querySelector('[data-count="replies"]');
      if (rc) rc.textContent = String(parseInt(rc.textContent, 10) + 1);
      announce("1 new comment");
    }
  }

  function onMessage(d) {
    var list = $('#messages[data-conversation="' + d.conversation_id + '"]');
    if (list) {
      if (!$("#m-" + d.id)) {
        list.appendChild(fromHtml(d.html));
        scrollChat();
        var reply = $('#message-form input[name="in_reply_to_id"]');
        if (reply) reply.value = d.id;
      }
      // Reading it here: the server marks it read on the next visit; keep the badge calm.
      setBadge("messages", Math.max(0, d.unread.messages - 1));
      return;
    }
    setBadge("messages", d.unread.messages);
    var row = $('[data-conversation="' + d.conversation_id + '"].conversation');
    if (row) row.classList.add("unread");
  }

  function live() {
    if (!document.body.hasAttribute("data-me") || !window.EventSource) return;
    var es = new EventSource("/web/events");
    es.addEventListener("status", function (e) { onStatus(JSON.parse(e.data)); });
    es.addEventListener("message", function (e) { onMessage(JSON.parse(e.data)); });
    es.addEventListener("notification", function (e) {
      var d = JSON.parse(e.data);
      setBadge("notifications", d.unread.notifications);
      setBadge("messages", d.unread.messages);
      if (d.status) setCounts(d.status.id, { favourites: d.status.favourites, reblogs: d.status.reblogs, replies: d.status.replies });
    });
    es.addEventListener("delete", function (e) {
      var d = JSON.parse(e.data);
      $all("#s-" + d.id + ", #m-" + d.id).forEach(function (el) { el.remove(); });
    });
    es.addEventListener("open", function () { document.body.setAttribute("data-live", "1"); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    scrollChat();
    live();
  });
})();
