/* 云栖小铺: a single-page storefront for crawler tests. Client-side routing with
   history.pushState, products fetched from /api after the page loaded, lazy images,
   a cookie banner and a newsletter modal on the first visit. */
(function () {
  "use strict";
  var app = document.getElementById("app");

  function esc(s) {
    return String(s).replace(/[&<>"]/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c];
    });
  }
  function getJSON(url, done) {
    var xhr = new XMLHttpRequest();
    xhr.open("GET", url);
    xhr.onload = function () { done(JSON.parse(xhr.responseText)); };
    xhr.send();
  }
  function cart() { return JSON.parse(localStorage.getItem("spa_cart") || "[]"); }

  // Lazy images: the real src is set only when the picture scrolls into view.
  var lazy = new IntersectionObserver(function (entries) {
    entries.forEach(function (e) {
      if (e.isIntersecting) { e.target.src = e.target.dataset.src; lazy.unobserve(e.target); }
    });
  });

  function card(p) {
    return '<li class="product-card"><a href="/product/' + p.id + '">' +
      '<img class="lazy" data-src="/img/' + p.id + '.svg" alt="' + esc(p.name) + '">' +
      esc(p.name) + '</a> <span class="price">¥' + p.price.toFixed(2) + "</span></li>";
  }
  function showCards(list) {
    app.querySelector(".product-list").innerHTML = list.map(card).join("");
    app.querySelectorAll("img.lazy").forEach(function (img) { lazy.observe(img); });
  }

  var routes = [
    [/^\/$/, function () {
      app.innerHTML = '<h1>欢迎光临云栖小铺</h1><h2>热门推荐</h2>' +
        '<ul class="product-list"><li class="loading">加载中…</li></ul>';
      getJSON("/api/products", function (list) { showCards(list.slice(0, 3)); });
    }],
    [/^\/products$/, function () {
      app.innerHTML = '<h1>全部商品</h1><ul class="product-list"><li class="loading">加载中…</li></ul>';
      getJSON("/api/products", showCards);
    }],
    [/^\/product\/(\d+)$/, function (m) {
      app.innerHTML = '<p class="loading">加载中…</p>';
      getJSON("/api/products/" + m[1], function (p) {
        app.innerHTML = '<div class="product-detail"><h1>' + esc(p.name) + "</h1>" +
          '<p class="price">价格：¥' + p.price.toFixed(2) + "</p>" +
          "<p>库存：" + (p.stock > 0 ? "有货" : "缺货") + "</p>" +
          '<p class="desc">' + esc(p.desc) + "</p>" +
          '<button type="button" id="add-to-cart">加入购物车</button> <span id="added"></span></div>';
        document.getElementById("add-to-cart").onclick = function () {
          var items = cart();
          items.push({id: p.id, name: p.name, price: p.price});
          localStorage.setItem("spa_cart", JSON.stringify(items));
          document.getElementById("added").textContent = "已加入购物车";
        };
      });
    }],
    [/^\/cart$/, function () {
      var items = cart();
      app.innerHTML = "<h1>我的购物车</h1>" + (items.length ? "<table><tbody>" +
        items.map(function (i) {
          return '<tr><td><a href="/product/' + i.id + '">' + esc(i.name) + "</a></td>" +
            "<td>¥" + i.price.toFixed(2) + '</td><td><input type="number" name="qty" value="1">' +
            "</td></tr>";
        }).join("") + "</tbody></table>" : "<p>购物车是空的。</p>");
    }],
    [/^\/login$/, function () {
      app.innerHTML = '<h1>会员登录</h1><form id="login-form">' +
        '<label for="u">手机号/邮箱</label><input id="u" name="username" autocomplete="username">' +
        '<label for="p">密码</label><input id="p" name="password" type="password">' +
        '<button type="submit">登录</button></form>';
      document.getElementById("login-form").onsubmit = function () { return false; };
    }],
    [/^\/help$/, function () {
      app.innerHTML = "<h1>帮助中心</h1><p>常见问题：下单后48小时内发货，支持7天无理由退货。</p>";
    }],
    [/^\/privacy$/, function () {
      app.innerHTML = "<h1>隐私政策</h1><p>我们只为完成订单收集您的姓名、电话和地址。</p>";
    }],
  ];

  function render() {
    var path = location.pathname;
    for (var i = 0; i < routes.length; i++) {
      var m = path.match(routes[i][0]);
      if (m) { routes[i][1](m); window.scrollTo(0, 0); return; }
    }
    app.innerHTML = "<h1>页面不存在</h1>";
  }

  // The app takes over its own links: no page load, only a history entry.
  document.addEventListener("click", function (e) {
    var a = e.target.closest("a[href^='/']");
    if (!a || e.ctrlKey || e.metaKey) return;
    e.preventDefault();
    if (a.getAttribute("href") !== location.pathname) {
      history.pushState({}, "", a.getAttribute("href"));
      render();
    }
  });
  window.addEventListener("popstate", render);

  // First visit: a cookie banner, and a newsletter modal shortly after.
  if (!localStorage.getItem("spa_cookie_ok")) {
    document.getElementById("cookie-banner").hidden = false;
    document.getElementById("cookie-accept").onclick = function () {
      localStorage.setItem("spa_cookie_ok", "1");
      document.getElementById("cookie-banner").hidden = true;
    };
  }
  if (!localStorage.getItem("spa_newsletter_seen")) {
    setTimeout(function () {
      var modal = document.getElementById("newsletter");
      modal.hidden = false;
      modal.querySelector(".close").onclick = function () {
        localStorage.setItem("spa_newsletter_seen", "1");
        modal.hidden = true;
      };
    }, 200);
  }

  history.replaceState({}, "", location.href);  // routers note the first entry too
  render();
})();
