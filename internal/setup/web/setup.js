"use strict";
// The setup page works without this script; it adds copy buttons, reads a
// chosen metadata file into the form, and applies a guide choice at once.
document.documentElement.classList.add("js");
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("button[data-copy]").forEach(function (b) {
    b.addEventListener("click", function () {
      var el = document.getElementById(b.getAttribute("data-copy"));
      if (!el) { return; }
      var done = function () { b.textContent = "Copied"; setTimeout(function () { b.textContent = "Copy"; }, 1500); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(el.value).then(done, function () { el.select(); });
      } else {
        el.select();
        if (document.execCommand("copy")) { done(); }
      }
    });
  });
  document.querySelectorAll("input[type=file][data-file-into]").forEach(function (input) {
    input.addEventListener("change", function () {
      var target = document.getElementById(input.getAttribute("data-file-into"));
      var f = input.files && input.files[0];
      if (!target || !f) { return; }
      if (f.size > 2 * 1024 * 1024) { alert("The metadata file is larger than 2 MiB."); return; }
      f.text().then(function (t) { target.value = t; });
    });
  });
  document.querySelectorAll("form[data-autosubmit-on-change] select").forEach(function (s) {
    s.addEventListener("change", function () { s.form.submit(); });
  });
});
