<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gbk">
<style>body{margin:0;font-size:12px;font-family:"宋体"} a{color:#333333;text-decoration:none} td{font-size:12px;height:24px;border-bottom:1px dashed #cccccc}</style>
</head>
<body>
<table width="100%" border="0" cellspacing="0" cellpadding="0">
<tr><td>·<a href="/art/2026/11/20/art_4512_201.html" target="_blank">县教育局开展校园安全检查</a></td><td align="right">2026-11-20</td></tr>
<tr><td>·<a href="/art/2026/11/19/art_4512_200.html" target="_blank">县卫健局召开冬季疫病防控部署会</a></td><td align="right">2026-11-19</td></tr>
<tr><td>·<a href="/art/2026/11/18/art_4512_199.html" target="_blank" style="color:#8a00a8">县统计局发布前三季度经济运行情况</a></td><td align="right">2026-11-18</td></tr>
<tr><td>·<a href="/art/2026/11/17/art_4512_198.html" target="_blank">县农业农村局推进高标准农田建设</a></td><td align="right">2026-11-17</td></tr>
<tr><td>·<a href="/art/2026/11/16/art_4512_197.html" target="_blank">县交通运输局开展道路隐患排查</a></td><td align="right">2026-11-16</td></tr>
<tr><td>·<a href="/art/2026/11/15/art_4512_196.html" target="_blank">县市场监管局开展食品安全抽检</a></td><td align="right">2026-11-15</td></tr>
<tr><td>·<a href="/art/2026/11/14/art_4512_195.html" target="_blank">县人社局举办冬季招聘会</a></td><td align="right">2026-11-14</td></tr>
<tr><td>·<a href="/art/2026/11/10/art_4512_190.html" target="_blank">县水利局部署冬修水利工作</a></td><td align="right">2026-11-10</td></tr>
<tr><td>·<a href="/art/2026/11/09/art_4512_189.html" target="_blank">县林业局开展古树名木普查</a></td><td align="right">2026-11-09</td></tr>
<tr><td>·<a href="/art/2026/11/08/art_4512_188.html" target="_blank">县民政局开展冬季救助帮扶</a></td><td align="right">2026-11-08</td></tr>
</table>
</body>
</html>
