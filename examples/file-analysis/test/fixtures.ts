/** A small CSV with a byte order mark, CRLF line ends, quoted commas and quotes, an empty field and a short row. */
export const CITIES_CSV =
  '\ufeffcity,population,area,note\r\n' +
  'London,8900000,1572,"big, old"\r\n' +
  'Leeds,800000,552,\r\n' +
  'York,210000,272,"walls ""medieval"""\r\n' +
  ',100\r\n' +
  'Leeds,810000,552.5,\r\n'

/** Its statistics, as the result CSV holds them. */
export const CITIES_STATS =
  'column,kind,count,empty,min,max,mean,distinct\r\n' +
  'city,text,4,1,,,,3\r\n' +
  'population,numeric,5,0,100,8900000,2144020,\r\n' +
  'area,numeric,4,1,272,1572,737.125,\r\n' +
  'note,text,2,3,,,,2\r\n'
