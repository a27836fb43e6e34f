#ifndef EXPOSURE_CPCAP_SHIM_H
#define EXPOSURE_CPCAP_SHIM_H
#include <stdio.h>
#include <pcap/pcap.h>
#endif
