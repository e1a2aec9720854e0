/** The listcalls header row of VoIPmonitor sniffer 2026.04.0, copied from a real reply (listcalls.nocalls.reply). */
export const LISTCALLS_HEADER: readonly string[] = [
  'callreference', 'callid', 'calldate', 'calldate_num', 'lastpackettime', 'duration',
  'connect_duration', 'caller', 'called', 'caller_country', 'called_country', 'caller_international',
  'called_international', 'callername', 'callerdomain', 'calleddomain', 'calleragent', 'calledagent',
  'callerip', 'calledip', 'callerip_country', 'calledip_country', 'callerip_encaps', 'calledip_encaps',
  'callerip_encaps_prot', 'calledip_encaps_prot', 'sipproxies', 'lastSIPresponseNum', 'rtp_src', 'rtp_dst',
  'rtp_src_country', 'rtp_dst_country', 'callercodec', 'calledcodec', 'src_mosf1', 'src_mosf1_avg',
  'src_mosf1_min', 'src_mosf2', 'src_mosf2_avg', 'src_mosf2_min', 'src_mosAD', 'src_mosAD_avg',
  'src_mosAD_min', 'dst_mosf1', 'dst_mosf1_avg', 'dst_mosf1_min', 'dst_mosf2', 'dst_mosf2_avg',
  'dst_mosf2_min', 'dst_mosAD', 'dst_mosAD_avg', 'dst_mosAD_min', 'src_jitter', 'src_jitter_avg',
  'src_jitter_max', 'dst_jitter', 'dst_jitter_avg', 'dst_jitter_max', 'src_received', 'dst_received',
  'src_loss_abs', 'dst_loss_abs', 'src_loss', 'dst_loss', 'src_loss_last10sec', 'dst_loss_last10sec',
  'id_sensor', 'vlan',
];
