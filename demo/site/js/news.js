// The 工作动态 list is drawn from an API after load, as many CMS front ends do.
fetch('/api/news.json').then(function (r) { return r.json(); }).then(function (data) {
  var ul = document.getElementById('gzdt');
  ul.innerHTML = '';
  data.items.forEach(function (it) {
    var li = document.createElement('li');
    li.innerHTML = '<a href="' + it.url + '">' + it.title + '</a><span>' + it.date + '</span>';
    ul.appendChild(li);
  });
});
