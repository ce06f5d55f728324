var site = "某某县";
