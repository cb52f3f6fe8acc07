/* The live auction room (API.md "Live room"). Plain JavaScript, no framework.

   The server is the only source of truth: the room shows the last snapshot plus the events that
   follow it in `seq` order; a gap in `seq` means something was missed, so the room asks for a
   fresh snapshot (by reconnecting: the server sends one on connect). The countdown runs on the
   server's clock: `server_time` in each snapshot gives the offset from the browser's clock.
   Money stays exact: amounts are handled as whole fen (integers), never as floating yuan. */
(function () {
  "use strict";

  var root = document.getElementById("live-room");
  if (!root) { return; }

  // Text through Django's JavaScript catalog (base.html loads it first), Chinese as the msgid.
  var _ = window.gettext || function (text) { return text; };
  function fmt(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (all, name) { return String(values[name]); });
  }

  var REFUSALS = {
    auction_not_live: _("拍卖尚未开始或已停止，暂不能出价。"),
    auction_ended: _("拍卖已结束，出价无效。"),
    below_minimum: _("出价低于当前最低可出价。"),
    invalid_increment: _("出价须为起拍价加整数倍加价幅度。"),
    not_registered: _("您尚未登记竞买本场拍卖。"),
    deposit_not_frozen: _("保证金尚未到账冻结，暂不能出价。"),
    related_party: _("您与成果持有单位存在关联关系，不能参与本场竞价。"),
    already_leading: _("您已是当前最高出价者，无需再加价。"),
    organization_not_verified: _("机构尚未通过平台认证，暂不能出价。"),
    not_a_member: _("请先登录并加入已认证的机构。"),
    invalid_amount: _("请输入有效的金额，如 150000.00。"),
    idempotency_key_reused: _("该出价已提交过，请刷新后重试。")
  };
  var STATUS_TEXT = { scheduled: _("即将开拍"), live: _("竞价中"), sold: _("已成交"), unsold: _("流拍"), cancelled: _("已取消") };

  var auctionId = root.dataset.auction;
  var myBidderNo = root.dataset.bidderNo || "";
  var canBid = root.dataset.canBid === "1";
  var csrf = root.dataset.csrf || "";

  var state = null;          // the auction as the last snapshot and the events since say
  var bids = [];             // newest last
  var lastSeq = 0;
  var offset = 0;            // server clock minus browser clock, in ms
  var socket = null;
  var retry = 0;
  var everBid = false;       // this viewer has bid (so "outbid" means something)
  var pending = {};          // bid keys sent and not yet answered
  var wasLeading = false;

  var $ = function (sel) { return document.querySelector(sel); };  // the status badge sits in the heading
  var el = {
    status: $("[data-live=status]"),
    price: $("[data-live=price]"),
    priceLabel: $("[data-live=price-label]"),
    leader: $("[data-live=leader]"),
    count: $("[data-live=count]"),
    watchers: $("[data-live=watchers]"),
    registered: $("[data-live=registered]"),
    clock: $("[data-live=clock]"),
    endsAt: $("[data-live=ends-at]"),
    extended: $("[data-live=extended]"),
    mine: $("[data-live=mine]"),
    history: $("[data-live=history]"),
    conn: $("[data-live=conn]"),
    announcer: $("[data-live=announcer]"),
    result: $("[data-live=result]"),
    form: $("[data-live=bid-form]"),
    amount: $("[data-live=amount]"),
    quick: $("[data-live=quick]"),
    refusal: $("[data-live=refusal]"),
    confirmToggle: $("[data-live=confirm]"),
    proxyForm: $("[data-live=proxy-form]"),
    proxyAmount: $("[data-live=proxy-amount]"),
    proxyResult: $("[data-live=proxy-result]")
  };

  /* Money as fen ---------------------------------------------------------------------------- */
  function toFen(text) {
    if (text === null || text === undefined) { return null; }
    var m = String(text).trim().replace(/[,，¥\s]/g, "").match(/^(\d+)(?:\.(\d{0,2}))?$/);
    if (!m) { return null; }
    return parseInt(m[1], 10) * 100 + parseInt(((m[2] || "") + "00").slice(0, 2), 10);
  }
  function fenToText(fen) {
    var yuan = Math.floor(fen / 100), cents = fen % 100;
    return yuan + "." + (cents < 10 ? "0" : "") + cents;
  }
  function display(fen) {
    if (fen === null) { return "—"; }
    var yuan = String(Math.floor(fen / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var cents = fen % 100;
    return "¥" + yuan + "." + (cents < 10 ? "0" : "") + cents;
  }

  function announce(text) {
    // Re-set the text so that the same words are announced again.
    el.announcer.textContent = "";
    window.setTimeout(function () { el.announcer.textContent = text; }, 30);
  }

  function timeText(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) { return ""; }
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    var local = new Date(d.getTime() + (d.getTimezoneOffset() + 480) * 60000); // Beijing time
    return pad(local.getHours()) + ":" + pad(local.getMinutes()) + ":" + pad(local.getSeconds());
  }

  /* Rendering --------------------------------------------------------------------------------- */
  function nextMinimumFen() {
    if (!state) { return null; }
    if (state.bid_count > 0 && state.current_price !== null) {
      return toFen(state.current_price) + toFen(state.increment);
    }
    return toFen(state.start_price);
  }

  function renderHistoryItem(bid) {
    var li = document.createElement("li");
    li.dataset.seq = bid.seq;
    if (myBidderNo && bid.bidder_no === myBidderNo) { li.className = "mine"; }
    var who = document.createElement("span");
    who.textContent = fmt(_("#%(seq)s 竞买号 %(bidder_no)s"), { seq: bid.seq, bidder_no: bid.bidder_no }) +
      (bid.proxy ? _("（代理）") : "") +
      (myBidderNo && bid.bidder_no === myBidderNo ? _("（我）") : "");
    var amount = document.createElement("span");
    amount.className = "money";
    amount.textContent = display(toFen(bid.amount));
    var at = document.createElement("time");
    at.className = "muted";
    at.dateTime = bid.placed_at || "";
    at.textContent = bid.placed_at ? timeText(bid.placed_at) : "";
    li.appendChild(who); li.appendChild(amount); li.appendChild(at);
    return li;
  }

  function renderHistory() {
    el.history.textContent = "";
    for (var i = bids.length - 1; i >= 0; i--) { el.history.appendChild(renderHistoryItem(bids[i])); }
    if (!bids.length) {
      var li = document.createElement("li");
      li.className = "muted";
      li.textContent = _("暂无出价");
      el.history.appendChild(li);
    }
  }

  function renderMine() {
    if (!myBidderNo || !state) { el.mine.textContent = ""; el.mine.className = "live-status"; return; }
    var leading = state.leader_bidder_no === myBidderNo;
    if (state.status === "sold" || state.status === "unsold" || state.status === "cancelled") {
      el.mine.textContent = leading && state.status === "sold" ? _("恭喜，您已竞得！") : (everBid ? _("本场未竞得") : "");
      el.mine.className = "live-status" + (leading && state.status === "sold" ? " leading" : "");
      return;
    }
    if (leading) {
      el.mine.textContent = _("您已领先");
      el.mine.className = "live-status leading";
    } else if (everBid) {
      el.mine.textContent = _("您已被超越");
      el.mine.className = "live-status outbid";
    } else {
      el.mine.textContent = fmt(_("您的竞买号 %(bidder_no)s"), { bidder_no: myBidderNo });
      el.mine.className = "live-status";
    }
  }

  function render() {
    if (!state) { return; }
    el.status.textContent = STATUS_TEXT[state.status] || state.status;
    el.status.className = "badge status-" + state.status;
    var priceFen = state.current_price !== null ? toFen(state.current_price) : null;
    el.priceLabel.textContent = priceFen === null ? _("起拍价") : (state.status === "sold" ? _("成交价") : _("当前价"));
    el.price.textContent = display(priceFen === null ? toFen(state.start_price) : priceFen);
    el.leader.textContent = state.leader_bidder_no || "—";
    el.count.textContent = String(state.bid_count);
    el.endsAt.textContent = state.ends_at ? timeText(state.ends_at) : "";
    el.endsAt.dateTime = state.ends_at || "";
    var open = state.status === "live" && !state.close_blocked;
    if (el.form) {
      el.form.querySelectorAll("input, button").forEach(function (c) { c.disabled = !open || !canBid; });
      var min = nextMinimumFen();
      var typed = toFen(el.amount.value);
      if (min !== null && (typed === null || typed < min || el.amount.dataset.auto === "1")) {
        el.amount.value = fenToText(min);
        el.amount.dataset.auto = "1";
      }
      el.amount.min = min !== null ? fenToText(min) : "";
      renderQuick(min);
    }
    if (el.proxyForm) {
      el.proxyForm.querySelectorAll("input, button").forEach(function (c) {
        c.disabled = !canBid || state.close_blocked || !(state.status === "live" || state.status === "scheduled");
      });
    }
    renderMine();
    tick();
  }

  function renderQuick(min) {
    if (!el.quick || min === null) { return; }
    var inc = toFen(state.increment);
    var steps = [1, 2, 5, 10];
    el.quick.textContent = "";
    steps.forEach(function (k) {
      var amount = min + (k - 1) * inc;
      var b = document.createElement("button");
      b.type = "button";
      b.className = "btn small";
      b.disabled = state.status !== "live" || state.close_blocked || !canBid;
      b.textContent = k === 1 ? fmt(_("最低 %(amount)s"), { amount: display(amount) })
        : fmt(_("+%(steps)s 档 %(amount)s"), { steps: k, amount: display(amount) });
      b.setAttribute("aria-label", fmt(_("出价金额填为 %(amount)s"), { amount: display(amount) }));
      b.addEventListener("click", function () {
        el.amount.value = fenToText(amount);
        el.amount.dataset.auto = "";
        el.amount.focus();
      });
      el.quick.appendChild(b);
    });
  }

  function tick() {
    if (!state) { return; }
    if (state.status !== "live" && state.status !== "scheduled") {
      el.clock.textContent = state.status === "sold" ? _("已成交") : (STATUS_TEXT[state.status] || _("已结束"));
      el.clock.className = "live-clock";
      return;
    }
    if (state.close_blocked) {  // ended; the marketplace refused the deal; an operator decides
      el.clock.textContent = _("已截止，成交结果待平台审核");
      el.clock.className = "live-clock";
      return;
    }
    var now = Date.now() + offset;
    var target = state.status === "scheduled" ? Date.parse(state.starts_at) : Date.parse(state.ends_at);
    var left = target - now;
    var text = window.marketRemaining ? window.marketRemaining(left) : null;
    if (state.status === "scheduled") {
      el.clock.textContent = text === null ? _("即将开拍") : fmt(_("距开拍 %(left)s"), { left: text });
      el.clock.className = "live-clock";
    } else {
      el.clock.textContent = text === null ? _("等待落槌…") : text;
      var finalWindow = (state.extension_seconds || 300) * 1000;
      el.clock.className = "live-clock" + (left <= finalWindow ? " final" : "");
    }
  }

  /* Events ------------------------------------------------------------------------------------ */
  function onSnapshot(msg) {
    state = msg.auction;
    bids = (msg.bids || []).slice();
    lastSeq = typeof msg.seq === "number" ? msg.seq : (bids.length ? bids[bids.length - 1].seq : state.bid_count);
    var serverTime = Date.parse(state.server_time);
    if (!isNaN(serverTime)) { offset = serverTime - Date.now(); }
    if (myBidderNo) {
      everBid = everBid || bids.some(function (b) { return b.bidder_no === myBidderNo; });
      wasLeading = state.leader_bidder_no === myBidderNo;
    }
    // Who is here: sockets watching now ("—" while the server cannot count) and registrations.
    if (el.watchers) { el.watchers.textContent = typeof msg.watchers === "number" ? String(msg.watchers) : "—"; }
    if (el.registered && typeof msg.registered === "number") { el.registered.textContent = String(msg.registered); }
    renderHistory();
    render();
    if (state.status === "sold" || state.status === "unsold") { showResult(); }
  }

  function onBid(msg) {
    if (msg.seq <= lastSeq) { return; }                 // already seen (a replay after reconnect)
    if (msg.seq !== lastSeq + 1) { reload("gap"); return; }
    lastSeq = msg.seq;
    bids.push(msg);
    if (bids.length > 100) { bids.shift(); }
    state.current_price = msg.amount;
    state.leader_bidder_no = msg.bidder_no;
    state.bid_count = msg.seq;
    if (msg.ends_at) {
      if (state.ends_at && Date.parse(msg.ends_at) > Date.parse(state.ends_at)) { showExtended(msg.ends_at); }
      state.ends_at = msg.ends_at;
    }
    if (myBidderNo && msg.bidder_no === myBidderNo) { everBid = true; }
    el.history.querySelectorAll("li.muted").forEach(function (n) { n.remove(); });
    el.history.insertBefore(renderHistoryItem(msg), el.history.firstChild);
    var leadingNow = myBidderNo && msg.bidder_no === myBidderNo;
    var text = fmt(_("新出价 %(amount)s，竞买号 %(bidder_no)s 领先。"),
      { amount: display(toFen(msg.amount)), bidder_no: msg.bidder_no });
    if (myBidderNo && wasLeading && !leadingNow) { text = _("您已被超越！") + text; }
    else if (leadingNow) { text = fmt(_("您已领先，当前价 %(amount)s。"), { amount: display(toFen(msg.amount)) }); }
    wasLeading = !!leadingNow;
    announce(text);
    render();
  }

  function showExtended(endsAt) {
    el.extended.hidden = false;
    el.extended.textContent = fmt(_("已延时：结束时间顺延至 %(ends_at)s"), { ends_at: timeText(endsAt) });
    announce(fmt(_("拍卖已延时，结束时间顺延至 %(ends_at)s。"), { ends_at: timeText(endsAt) }));
  }

  function onExtended(msg) {
    if (!state) { return; }
    if (!state.ends_at || Date.parse(msg.ends_at) !== Date.parse(state.ends_at)) {
      state.ends_at = msg.ends_at;
      showExtended(msg.ends_at);
      render();
    }
  }

  function showResult() {
    el.result.hidden = false;
    if (state.status === "sold") {
      el.result.textContent = fmt(_("落槌成交：竞买号 %(bidder_no)s 以 %(price)s 竞得。"),
        { bidder_no: state.leader_bidder_no || "—", price: display(toFen(state.current_price)) });
    } else if (state.status === "unsold") {
      el.result.textContent = state.bid_count ? _("本场流拍（未达保留价）。") : _("本场流拍（无人出价）。");
    } else {
      el.result.textContent = _("本场已取消。");
    }
  }

  function onClosed(msg) {
    state.status = msg.status;
    if (msg.final_price) { state.current_price = msg.final_price; }
    if (msg.winner_bidder_no) { state.leader_bidder_no = msg.winner_bidder_no; }
    render();
    showResult();
    announce(el.result.textContent);
    showOutcome();
  }

  // After the close the bid form goes; the page's own outcome for this person (the winner's deal
  // and what to pay by when, a loser's deposit and refund, the holder's deal, the public result)
  // takes its place, read from the server, which knows who is looking.
  function showOutcome() {
    var action = document.querySelector("[data-live=action]");
    if (action) { action.hidden = true; }
    if (!window.fetch || !window.DOMParser) { return; }
    window.fetch(window.location.href, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-testid=outcome]");
        if (!fresh) { return; }
        var here = document.querySelector("[data-testid=outcome]") || action;
        if (here) { here.replaceWith(fresh); fresh.hidden = false; }
      })
      .catch(function () { /* the result line above still says what happened */ });
  }

  function onAccepted(msg) {
    delete pending[msg.key];
    everBid = true;
    el.refusal.textContent = "";
    el.amount.dataset.auto = "1";
  }

  function onRejected(msg) {
    delete pending[msg.key];
    var text = msg.detail || REFUSALS[msg.code] || fmt(_("出价未被接受（%(code)s）"), { code: msg.code });
    el.refusal.textContent = text;
    announce(fmt(_("出价未被接受：%(reason)s"), { reason: text }));
  }

  function onMessage(event) {
    var msg;
    try { msg = JSON.parse(event.data); } catch (e) { return; }
    if (msg.server_time) {
      var serverTime = Date.parse(msg.server_time);
      if (!isNaN(serverTime)) { offset = serverTime - Date.now(); }
    }
    switch (msg.type) {
      case "snapshot": onSnapshot(msg); break;
      case "bid": if (state) { onBid(msg); } break;
      case "extended": onExtended(msg); break;
      case "closed": if (state) { onClosed(msg); } break;
      case "bid.accepted": onAccepted(msg); break;
      case "bid.rejected": onRejected(msg); break;
      case "reload": reload("server"); break;
      default: break;
    }
  }

  /* The connection ------------------------------------------------------------------------------ */
  function setConn(ok, text) {
    el.conn.textContent = text;
    el.conn.className = "conn " + (ok ? "ok" : "down");
  }

  function connect() {
    var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/auctions/" + auctionId + "/";
    setConn(false, _("正在连接…"));
    socket = new WebSocket(url);
    socket.addEventListener("open", function () { retry = 0; setConn(true, _("已连接，实时更新")); });
    socket.addEventListener("message", onMessage);
    socket.addEventListener("close", function () {
      socket = null;
      if (state && (state.status === "sold" || state.status === "unsold" || state.status === "cancelled")) {
        setConn(true, _("拍卖已结束"));
        return;
      }
      retry += 1;
      var wait = Math.min(5000, 300 * Math.pow(2, retry - 1));
      setConn(false, _("连接中断，") + Math.ceil(wait / 1000) + _(" 秒后重连…"));
      window.setTimeout(connect, wait);
    });
  }

  function reload(why) {
    // A fresh snapshot comes with every connection: closing makes the room reconnect at once.
    if (socket) { retry = 0; socket.close(4000, why); }
  }

  /* Bidding ------------------------------------------------------------------------------------- */
  function newKey() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    return "k" + Date.now() + "-" + Math.random().toString(16).slice(2);
  }

  function sendBid(amountText) {
    var key = newKey();
    pending[key] = amountText;
    el.refusal.textContent = "";
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify({ type: "bid", amount: amountText, key: key }));
      return;
    }
    // No live connection: the same bid through the REST endpoint (same engine, same key).
    fetch("/api/v1/auctions/" + auctionId + "/bids/", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Idempotency-Key": key },
      body: JSON.stringify({ amount: amountText })
    }).then(function (r) {
      return r.json().then(function (body) {
        if (r.ok) { onAccepted({ key: key, seq: body.seq }); } else { onRejected({ key: key, code: body.code, detail: body.detail }); }
      });
    }).catch(function () { onRejected({ key: key, code: "network", detail: _("网络中断，出价未送达，请稍后再试。") }); });
  }

  function confirmThen(text, action) {
    var dialog = document.getElementById("confirm-dialog");
    if (!el.confirmToggle || !el.confirmToggle.checked || !dialog || typeof dialog.showModal !== "function") {
      action();
      return;
    }
    document.getElementById("confirm-text").textContent = text;
    dialog.returnValue = "";
    dialog.showModal();
    dialog.addEventListener("close", function onClose() {
      dialog.removeEventListener("close", onClose);
      if (dialog.returnValue === "ok") { action(); } else { el.amount.focus(); }
    });
  }

  if (el.form) {
    el.amount.addEventListener("input", function () { el.amount.dataset.auto = ""; });
    el.form.addEventListener("submit", function (event) {
      event.preventDefault();
      var fen = toFen(el.amount.value);
      if (fen === null || fen <= 0) { onRejected({ code: "invalid_amount" }); el.amount.focus(); return; }
      var amountText = fenToText(fen);
      confirmThen("确认出价 " + display(fen) + _("？出价一经接受不可撤回。"), function () { sendBid(amountText); });
    });
  }

  if (el.proxyForm) {
    el.proxyForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var fen = toFen(el.proxyAmount.value);
      if (fen === null || fen <= 0) { el.proxyResult.textContent = REFUSALS.invalid_amount; return; }
      confirmThen("确认设置代理出价上限 " + display(fen) + _("？平台将按最低加价为您自动出价，直至该上限。"), function () {
        fetch("/api/v1/auctions/" + auctionId + "/proxy-bid/", {
          method: "PUT",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
          body: JSON.stringify({ max_amount: fenToText(fen) })
        }).then(function (r) {
          return r.json().then(function (body) {
            el.proxyResult.textContent = r.ok
              ? _("代理出价上限已设为 ") + display(fen) + "。"
              : (body.detail || REFUSALS[body.code] || _("设置未成功。"));
          });
        }).catch(function () { el.proxyResult.textContent = _("网络中断，请稍后再试。"); });
      });
    });
  }

  window.setInterval(tick, 250);
  connect();
})();
