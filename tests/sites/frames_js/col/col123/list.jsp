<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"><title>信息公开列表</title></head>
<body><table class="tb_list" width="100%">
<tr><td class="bt_link"><a href="/art/2026/11/25/art_123_101.html" target="_blank">某某县2026年第三季度财政预算执行情况</a></td><td class="bt_time">[2026-11-25]</td></tr>
<tr><td class="bt_link"><a href="/art/2026/11/25/art_123_102.html" target="_blank">某某县关于公布行政事业性收费目录清单的公告</a></td><td class="bt_time">[2026-11-24]</td></tr>
<tr><td class="bt_link"><a href="/art/2026/11/25/art_123_103.html" target="_blank">某某县人民政府关于调整县政府领导分工的通知</a></td><td class="bt_time">[2026-11-21]</td></tr>
</table><div class="pager">共1页 3条记录</div></body></html>
